#include "core/generate/realistic.hpp"

#include "core/generate/names.hpp"
#include "core/generate/text_edit.hpp"
#include "core/generate/user_generator.hpp"
#include "core/text/utf8.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>

namespace usermatch::generate::detail {
namespace {

constexpr std::uint64_t kStreamRealEntity = 11, kStreamRealRecord = 12;
constexpr std::uint64_t kKindPhone = 1, kKindEmail = 2, kKindId = 3;
constexpr std::uint16_t kMaxExtraCopies = 1000;
constexpr double kMeanCopiesWhenDuplicated = 1.6;
constexpr int kCountries = static_cast<int>(Country::Count);

// ---------------------------------------------------------------------------------------------
// Reference lists (most common first; picked with a skew towards the head).

template <class T, std::size_t N>
constexpr Table<T> table(const T (&a)[N]) {
    return {a, N};
}

// Given names: "name" or "name|variant" (nickname or other spelling seen in the same person's records).
constexpr const char* kFrMale[] = {"Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe",
    "Patrick", "Daniel", "Laurent", "Frédéric|Fred", "Stéphane", "Julien", "Sébastien|Seb", "Thomas", "François",
    "Jean-Pierre|JP", "Jean-Luc", "Olivier", "Éric|Eric", "Antoine", "Maxime|Max", "Hugo", "Louis", "Théo",
    "Mathieu|Matthieu", "Guillaume", "Benoît|Benoit", "Jérôme|Jerome", "Loïc|Loic"};
constexpr const char* kFrFemale[] = {"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise|Francoise",
    "Sophie", "Valérie|Valerie", "Christine", "Sandrine", "Céline|Celine", "Camille", "Julie", "Aurélie|Aurelie",
    "Marie-Claire", "Anne-Sophie", "Léa|Lea", "Chloé|Chloe", "Manon", "Emma", "Hélène|Helene", "Élodie|Elodie",
    "Mélanie|Melanie", "Amélie|Amelie", "Margaux|Margot", "Inès|Ines", "Claire", "Pauline", "Lucie", "Océane"};
constexpr const char* kFrSurnames[] = {"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand",
    "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre",
    "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
    "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
    "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud"};
constexpr const char* kDeMale[] = {"Peter", "Michael", "Thomas", "Andreas", "Wolfgang", "Klaus", "Jürgen|Juergen",
    "Stefan", "Christian", "Uwe", "Werner", "Hans", "Frank", "Bernd", "Markus|Marcus", "Matthias", "Sebastian",
    "Alexander|Alex", "Tobias", "Lukas|Lucas", "Jan", "Florian", "Maximilian|Max", "Jonas", "Leon", "Felix",
    "Günter|Guenter", "Dieter", "Horst", "Jörg|Joerg"};
constexpr const char* kDeFemale[] = {"Ursula|Uschi", "Monika", "Petra", "Sabine", "Renate", "Helga", "Karin",
    "Brigitte", "Ingrid", "Andrea", "Claudia", "Susanne", "Stefanie|Steffi", "Julia", "Anna", "Katharina|Kathi",
    "Laura", "Lena", "Lea", "Sarah|Sara", "Jana", "Nicole", "Birgit", "Gabriele|Gabi", "Christina|Tina",
    "Heike", "Hannelore", "Sophie|Sofie", "Marie", "Jessica"};
constexpr const char* kDeSurnames[] = {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
    "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
    "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
    "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König",
    "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn",
    "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck",
    "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus"};
constexpr const char* kEsMale[] = {"Antonio", "José|Pepe", "Manuel|Manolo", "Francisco|Paco", "David", "Juan",
    "Javier", "José Antonio", "Daniel", "Jesús|Jesus", "Carlos", "Alejandro|Álex", "Miguel", "José Luis",
    "Rafael|Rafa", "Pablo", "Sergio", "Fernando", "Jorge", "Luis", "Alberto", "Álvaro|Alvaro", "Diego",
    "Adrián|Adrian", "Raúl|Raul", "Enrique|Quique", "Ramón|Ramon", "Vicente", "Ignacio|Nacho", "Andrés|Andres"};
constexpr const char* kEsFemale[] = {"María|Maria", "Carmen|Mari Carmen", "Ana", "Isabel|Isa", "Laura",
    "María Pilar|Pilar", "Josefa|Pepa", "Ana María", "Lucía|Lucia", "María Dolores|Lola", "Cristina", "Marta",
    "María José|Marijose", "Elena", "Francisca|Paqui", "Sara", "Paula", "Raquel", "Rosa María", "Beatriz|Bea",
    "Sofía|Sofia", "Patricia", "Nuria", "Silvia", "Irene", "Mercedes|Merche", "Rocío|Rocio", "Alba", "Julia",
    "Andrea"};
constexpr const char* kEsSurnames[] = {"García", "Rodríguez", "González", "Fernández", "López", "Martínez",
    "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz",
    "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil",
    "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz",
    "Rubio", "Marín", "Sanz", "Núñez", "Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Santos",
    "Lozano", "Guerrero", "Cano", "Prieto"};
constexpr const char* kInMale[] = {"Rahul", "Amit", "Rajesh|Raj", "Suresh", "Ramesh", "Vijay", "Sanjay",
    "Anil", "Sunil", "Arun", "Mohammed|Mohammad", "Muhammad|Mohd", "Ravi", "Deepak", "Manoj", "Ajay",
    "Rakesh", "Ashok", "Vikram|Vicky", "Arjun", "Aditya", "Rohan", "Karthik|Karthick", "Srinivas|Srinivasan",
    "Venkatesh|Venkat", "Pradeep", "Naveen", "Abdul", "Imran", "Gurpreet"};
constexpr const char* kInFemale[] = {"Priya", "Sunita", "Anita", "Pooja|Puja", "Neha", "Kavita|Kavitha",
    "Lakshmi|Laxmi", "Deepa", "Rekha", "Meena", "Anjali", "Divya", "Shweta|Sweta", "Sneha", "Aishwarya",
    "Lata", "Geeta|Gita", "Sita|Seetha", "Fatima", "Ayesha|Aisha", "Nisha", "Swati", "Asha", "Radha",
    "Shalini", "Preeti|Priti", "Jyoti", "Pallavi", "Bhavana", "Harpreet"};
constexpr const char* kInSurnames[] = {"Kumar", "Sharma", "Singh", "Patel", "Gupta", "Reddy", "Rao", "Shah",
    "Khan", "Verma", "Jain", "Iyer", "Nair", "Menon", "Das", "Mehta", "Joshi", "Pillai", "Agarwal|Aggarwal",
    "Mishra", "Chopra", "Malhotra", "Banerjee", "Chatterjee", "Mukherjee", "Bose", "Desai", "Kulkarni",
    "Naidu", "Yadav", "Pandey", "Thakur", "Ahmed", "Hussain", "Ali", "Krishnan", "Subramanian", "Srinivasan",
    "Bhat", "Kapoor"};

struct City {
    const char* name;      // as written locally
    const char* variants;  // other spellings, "|" separated, or ""
    const char* postcode;  // a postcode prefix (unused for CN)
};
constexpr City kUsCities[] = {{"New York", "NYC|New York City|New York, NY", "100"}, {"Los Angeles", "LA|L.A.", "900"},
    {"Chicago", "Chicago, IL", "606"}, {"Houston", "Houston, TX", "770"}, {"Seattle", "Seattle, WA", "981"},
    {"San Francisco", "SF|San Fran", "941"}, {"Boston", "Boston, MA", "021"}, {"Phoenix", "", "850"},
    {"Philadelphia", "Philly", "191"}, {"San Diego", "", "921"}, {"Dallas", "", "752"}, {"Austin", "", "787"},
    {"Denver", "", "802"}, {"Atlanta", "", "303"}, {"Miami", "", "331"}, {"Portland", "", "972"}};
constexpr City kGbCities[] = {{"London", "Greater London", "SW1"}, {"Manchester", "", "M1"},
    {"Birmingham", "B'ham", "B1"}, {"Leeds", "", "LS1"}, {"Glasgow", "", "G1"}, {"Liverpool", "", "L1"},
    {"Edinburgh", "", "EH1"}, {"Bristol", "", "BS1"}, {"Sheffield", "", "S1"}, {"Cardiff", "Caerdydd", "CF1"},
    {"Newcastle upon Tyne", "Newcastle", "NE1"}, {"Nottingham", "", "NG1"}};
constexpr City kFrCities[] = {{"Paris", "Paris 15e|PARIS", "75"}, {"Marseille", "Marseilles", "13"},
    {"Lyon", "Lyons", "69"}, {"Toulouse", "", "31"}, {"Nice", "", "06"}, {"Nantes", "", "44"},
    {"Strasbourg", "", "67"}, {"Montpellier", "", "34"}, {"Bordeaux", "", "33"}, {"Lille", "", "59"},
    {"Rennes", "", "35"}, {"Saint-Étienne", "St-Etienne|Saint Etienne", "42"}};
constexpr City kDeCities[] = {{"Berlin", "", "10"}, {"Hamburg", "", "20"}, {"München", "Munich|Muenchen", "80"},
    {"Köln", "Cologne|Koeln", "50"}, {"Frankfurt am Main", "Frankfurt|Frankfurt a.M.", "60"},
    {"Stuttgart", "", "70"}, {"Düsseldorf", "Duesseldorf|Dusseldorf", "40"}, {"Leipzig", "", "04"},
    {"Dortmund", "", "44"}, {"Essen", "", "45"}, {"Bremen", "", "28"}, {"Dresden", "", "01"}};
constexpr City kEsCities[] = {{"Madrid", "", "28"}, {"Barcelona", "BCN", "08"}, {"Valencia", "València", "46"},
    {"Sevilla", "Seville", "41"}, {"Zaragoza", "", "50"}, {"Málaga", "Malaga", "29"}, {"Murcia", "", "30"},
    {"Palma", "Palma de Mallorca", "07"}, {"Bilbao", "Bilbo", "48"}, {"Alicante", "Alacant", "03"}};
constexpr City kInCities[] = {{"Mumbai", "Bombay", "400"}, {"Delhi", "New Delhi|NEW DELHI", "110"},
    {"Bengaluru", "Bangalore", "560"}, {"Hyderabad", "", "500"}, {"Chennai", "Madras", "600"},
    {"Kolkata", "Calcutta", "700"}, {"Pune", "Poona", "411"}, {"Ahmedabad", "", "380"}, {"Jaipur", "", "302"},
    {"Lucknow", "", "226"}};

constexpr const char* kUsStreets[] = {"Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Washington", "Lake", "Hill",
    "Park", "Sunset", "Lincoln", "2nd", "3rd", "Jefferson", "Highland", "Franklin", "Madison", "Church", "Walnut"};
struct StreetType {
    const char* full;
    const char* abbr;
};
constexpr StreetType kUsTypes[] = {{"Street", "St"}, {"Avenue", "Ave"}, {"Road", "Rd"}, {"Drive", "Dr"},
    {"Boulevard", "Blvd"}, {"Lane", "Ln"}};
constexpr const char* kGbStreets[] = {"High", "Station", "Church", "Victoria", "Green", "Manor", "Park", "Queens",
    "Kings", "New", "Mill", "School", "North", "London", "Grange", "Windsor"};
constexpr StreetType kGbTypes[] = {{"Street", "St"}, {"Road", "Rd"}, {"Lane", "Ln"}, {"Avenue", "Ave"},
    {"Close", "Cl"}, {"Gardens", "Gdns"}};
constexpr const char* kFrStreets[] = {"de la République", "Victor Hugo", "de la Paix", "Jean Jaurès", "du Général de Gaulle",
    "Pasteur", "de la Gare", "des Écoles", "Gambetta", "Voltaire", "du Moulin", "Jules Ferry", "de l'Église",
    "Nationale", "Carnot", "Saint-Michel"};
constexpr StreetType kFrTypes[] = {{"rue", "r."}, {"avenue", "av."}, {"boulevard", "bd"}, {"place", "pl."},
    {"impasse", "imp."}, {"allée", "all."}};
constexpr const char* kDeStreets[] = {"Haupt", "Schul", "Garten", "Bahnhof", "Dorf", "Berg", "Kirch", "Wald",
    "Ring", "Linden", "Goethe", "Schiller", "Birken", "Friedhof", "Mühlen", "Rosen"};
constexpr const char* kEsStreets[] = {"Mayor", "Real", "de la Iglesia", "del Sol", "Nueva", "de Alcalá",
    "Gran Vía", "San Juan", "de la Constitución", "del Carmen", "Cervantes", "Santiago", "del Pilar",
    "de Goya", "Princesa", "Serrano"};
constexpr StreetType kEsTypes[] = {{"Calle", "C/"}, {"Avenida", "Avda."}, {"Plaza", "Pza."}, {"Paseo", "P.º"}};
constexpr const char* kInStreets[] = {"MG Road|M.G. Road|Mahatma Gandhi Road", "Station Road|Stn Rd",
    "Nehru Nagar", "Gandhi Nagar", "Park Street|Park St", "Anna Salai|Mount Road", "Linking Road",
    "Brigade Road", "Residency Road", "Ring Road", "Church Street|Church St", "Lal Bahadur Shastri Marg|LBS Marg"};
// CN: a residential compound (xx家园 / xx小区) or a road (xx路).
constexpr const char* kCnEstates[] = {"金色家园", "阳光花园", "幸福小区", "碧桂园", "万科城", "翠苑小区",
    "紫荆花园", "锦绣江南", "世纪新城", "绿地小区", "华府天地", "明珠花园"};
constexpr const char* kCnRoads[] = {"建国路", "人民路", "解放路", "中山路", "长安街", "南京路", "和平路",
    "胜利路", "文化路", "新华路", "东风路", "延安路"};

struct EmailDomain {
    const char* value;
    std::uint16_t weight;
};
constexpr Weighted kCnDomains[] = {{"qq.com", 40}, {"163.com", 22}, {"126.com", 10}, {"gmail.com", 6},
    {"sina.com", 5}, {"foxmail.com", 5}, {"139.com", 4}, {"outlook.com", 4}, {"hotmail.com", 4}};
constexpr Weighted kUsDomains[] = {{"gmail.com", 45}, {"yahoo.com", 15}, {"hotmail.com", 10}, {"outlook.com", 10},
    {"icloud.com", 10}, {"aol.com", 5}, {"comcast.net", 5}};
constexpr Weighted kGbDomains[] = {{"gmail.com", 40}, {"hotmail.co.uk", 15}, {"yahoo.co.uk", 10},
    {"outlook.com", 10}, {"btinternet.com", 10}, {"icloud.com", 8}, {"sky.com", 7}};
constexpr Weighted kFrDomains[] = {{"gmail.com", 35}, {"orange.fr", 15}, {"hotmail.fr", 12}, {"free.fr", 10},
    {"laposte.net", 8}, {"sfr.fr", 8}, {"yahoo.fr", 7}, {"wanadoo.fr", 5}};
constexpr Weighted kDeDomains[] = {{"gmail.com", 25}, {"gmx.de", 25}, {"web.de", 25}, {"t-online.de", 12},
    {"yahoo.de", 5}, {"outlook.de", 5}, {"posteo.de", 3}};
constexpr Weighted kEsDomains[] = {{"gmail.com", 45}, {"hotmail.com", 20}, {"hotmail.es", 10}, {"yahoo.es", 10},
    {"outlook.es", 8}, {"telefonica.net", 7}};
constexpr Weighted kInDomains[] = {{"gmail.com", 60}, {"yahoo.co.in", 15}, {"rediffmail.com", 10},
    {"outlook.com", 8}, {"hotmail.com", 7}};
constexpr const char* kWorkDomains[] = {"acme.com", "globex.com", "initech.com", "example.org", "contoso.com",
    "fabrikam.com", "umbrella.co", "hooli.com", "stark.io", "wayne.net"};

// Share of each country among non-Chinese people (US, GB, FR, DE, ES, IN), in percent.
constexpr int kOtherCountryShare[] = {0, 30, 16, 14, 14, 10, 16};

const char* const kCountryCodes[] = {"CN", "US", "GB", "FR", "DE", "ES", "IN"};
const char* const kCountryNames[] = {"中国", "USA", "UK", "France", "Deutschland", "España", "India"};

Table<const char*> given_names(Country c, bool female) {
    switch (c) {
        case Country::FR: return female ? table(kFrFemale) : table(kFrMale);
        case Country::DE: return female ? table(kDeFemale) : table(kDeMale);
        case Country::ES: return female ? table(kEsFemale) : table(kEsMale);
        default: return female ? table(kInFemale) : table(kInMale);
    }
}
Table<const char*> surnames(Country c) {
    switch (c) {
        case Country::FR: return table(kFrSurnames);
        case Country::DE: return table(kDeSurnames);
        case Country::ES: return table(kEsSurnames);
        default: return table(kInSurnames);
    }
}
Table<City> cities(Country c) {
    switch (c) {
        case Country::US: return table(kUsCities);
        case Country::GB: return table(kGbCities);
        case Country::FR: return table(kFrCities);
        case Country::DE: return table(kDeCities);
        case Country::ES: return table(kEsCities);
        default: return table(kInCities);
    }
}
Table<Weighted> email_domains(Country c) {
    switch (c) {
        case Country::CN: return table(kCnDomains);
        case Country::US: return table(kUsDomains);
        case Country::GB: return table(kGbDomains);
        case Country::FR: return table(kFrDomains);
        case Country::DE: return table(kDeDomains);
        case Country::ES: return table(kEsDomains);
        default: return table(kInDomains);
    }
}
std::size_t street_count(Country c) {
    switch (c) {
        case Country::CN: return std::size(kCnEstates) + std::size(kCnRoads);
        case Country::US: return std::size(kUsStreets) * std::size(kUsTypes);
        case Country::GB: return std::size(kGbStreets) * std::size(kGbTypes);
        case Country::FR: return std::size(kFrStreets) * std::size(kFrTypes);
        case Country::DE: return std::size(kDeStreets);
        case Country::ES: return std::size(kEsStreets) * std::size(kEsTypes);
        default: return std::size(kInStreets);
    }
}
std::size_t city_count(Country c) { return c == Country::CN ? chinese_cities().size : cities(c).size; }

const char* pick_weighted(Table<Weighted> t, Rng& rng) {
    std::uint64_t r = rng.below(weight_total(t));
    for (std::size_t i = 0; i < t.size; ++i) {
        if (r < t[i].weight) return t[i].value;
        r -= t[i].weight;
    }
    return t[t.size - 1].value;
}

std::string part(const char* bar_separated, std::size_t i) {
    const Part p = part_at(bar_separated, i);
    return std::string(p.data, p.size);
}

std::string digits(std::uint64_t value, int width) {
    std::string s = std::to_string(value);
    if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
    return s;
}

std::string random_digits(Rng& rng, int count) {
    std::string s;
    for (int i = 0; i < count; ++i) s += static_cast<char>('0' + rng.below(10));
    return s;
}

std::uint64_t hash_text(std::uint64_t kind, const std::string& s) noexcept {
    std::uint64_t h = 0xCBF29CE484222325ull ^ (kind * 0x9E3779B97F4A7C15ull);
    for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
    std::uint64_t st = h;
    h = splitmix64(st);
    return h == 0 ? 1 : h;
}

// ---------------------------------------------------------------------------------------------
// Phones: national significant numbers and their national / international spellings.

// Groups of `n` separated by `sep`, following the given group sizes.
std::string grouped(std::string_view n, std::initializer_list<int> sizes, const char* sep) {
    std::string s;
    std::size_t pos = 0;
    for (int size : sizes) {
        if (pos >= n.size()) break;
        if (!s.empty()) s += sep;
        s.append(n.substr(pos, static_cast<std::size_t>(size)));
        pos += static_cast<std::size_t>(size);
    }
    if (pos < n.size()) s.append(n.substr(pos));
    return s;
}

// National spellings (style 0-3) and international ones (style 4-7).
std::string format_phone_real(Country c, bool landline, const std::string& n, int style) {
    const bool intl = style >= 4;
    const int v = style % 4;
    switch (c) {
        case Country::CN:  // 138 1234 5678
            if (!intl) return v == 0 ? n : v == 1 ? grouped(n, {3, 4, 4}, " ") : v == 2 ? grouped(n, {3, 4, 4}, "-") : n;
            return v == 0 ? "+86 " + grouped(n, {3, 4, 4}, " ") : v == 1 ? "+86" + n : v == 2 ? "0086 " + n : "+86-" + n;
        case Country::US: {  // (206) 555-0134
            const std::string a = n.substr(0, 3), e = n.substr(3, 3), l = n.substr(6);
            if (!intl) return v == 0 ? "(" + a + ") " + e + "-" + l : v == 1 ? a + "-" + e + "-" + l : v == 2 ? n : a + "." + e + "." + l;
            return v == 0 ? "+1 " + a + "-" + e + "-" + l : v == 1 ? "+1 (" + a + ") " + e + "-" + l : v == 2 ? "+1" + n : "1-" + a + "-" + e + "-" + l;
        }
        case Country::GB: {  // 020 7946 0018 / 07911 123456
            const std::string nat = landline ? grouped(n, {2, 4, 4}, " ") : grouped(n, {4, 6}, " ");
            if (!intl) return v == 0 ? "0" + nat : v == 1 ? "0" + n : v == 2 ? (landline ? "(0" + n.substr(0, 2) + ") " + grouped(n.substr(2), {4, 4}, " ") : "0" + nat) : "0" + nat;
            return v == 0 ? "+44 " + nat : v == 1 ? "+44" + n : v == 2 ? "+44 (0)" + nat : "0044 " + nat;
        }
        case Country::FR: {  // 06 85 98 66 38
            const std::string z = "0" + n;
            if (!intl) return v == 0 ? grouped(z, {2, 2, 2, 2, 2}, " ") : v == 1 ? z : v == 2 ? grouped(z, {2, 2, 2, 2, 2}, ".") : grouped(z, {2, 2, 2, 2, 2}, " ");
            return v == 0 ? "+33 " + grouped(n, {1, 2, 2, 2, 2}, " ") : v == 1 ? "+33" + n : v == 2 ? "+33 (0)" + grouped(n, {1, 2, 2, 2, 2}, " ") : "0033 " + grouped(n, {1, 2, 2, 2, 2}, " ");
        }
        case Country::DE: {  // 0151 23456789 / 030 12345678
            const std::size_t head = landline ? 2 : 3;
            const std::string a = n.substr(0, head), rest = n.substr(head);
            if (!intl) return v == 0 ? "0" + a + " " + rest : v == 1 ? "0" + a + "/" + rest : v == 2 ? "0" + n : "0" + a + "-" + rest;
            return v == 0 ? "+49 " + a + " " + rest : v == 1 ? "+49" + n : v == 2 ? "+49 (0)" + a + " " + rest : "0049 " + a + " " + rest;
        }
        case Country::ES: {  // 612 34 56 78 / 91 123 45 67
            const std::string nat = landline ? grouped(n, {2, 3, 2, 2}, " ") : grouped(n, {3, 2, 2, 2}, " ");
            if (!intl) return v == 0 ? nat : v == 1 ? n : v == 2 ? grouped(n, {3, 3, 3}, " ") : nat;
            return v == 0 ? "+34 " + nat : v == 1 ? "+34" + n : v == 2 ? "0034 " + grouped(n, {3, 3, 3}, " ") : "+34 " + n;
        }
        default: {  // IN: 98765 43210
            if (!intl) return v == 0 ? grouped(n, {5, 5}, " ") : v == 1 ? n : v == 2 ? "0" + n : "0" + grouped(n, {5, 5}, " ");
            return v == 0 ? "+91 " + grouped(n, {5, 5}, " ") : v == 1 ? "+91" + n : v == 2 ? "+91-" + n : "0091 " + n;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses (street line only; the city is its own column).

std::string render_address(Country c, const StreetAddress& a, int variant) {
    const std::string num = std::to_string(a.number);
    const std::string unit = a.unit ? std::to_string(a.unit) + (a.letter ? std::string(1, a.letter) : "") : "";
    switch (c) {
        case Country::CN: {
            if (a.street < std::size(kCnEstates)) {  // 金色家园38栋4单元401室
                const std::string estate = kCnEstates[a.street];
                const std::string b = num, u = std::to_string(a.floor), r = std::to_string(a.unit);
                switch (variant % 4) {
                    case 1: return estate + b + "-" + u + "-" + r;
                    case 2: return estate + b + "号楼" + u + "单元" + r;
                    case 3: return estate + " " + b + "栋" + r + "室";
                    default: return estate + b + "栋" + u + "单元" + r + "室";
                }
            }
            const std::string road = kCnRoads[a.street - std::size(kCnEstates)];
            switch (variant % 3) {
                case 1: return road + num + "号" + (a.unit ? std::to_string(a.unit) + "室" : "");
                case 2: return road + " " + num + "号";
                default: return road + num + "号";
            }
        }
        case Country::US: {
            const char* name = kUsStreets[a.street / std::size(kUsTypes)];
            const StreetType& t = kUsTypes[a.street % std::size(kUsTypes)];
            std::string s = num + " " + name + " ";
            s += variant % 3 == 0 ? t.abbr : variant % 3 == 1 ? t.full : std::string(t.abbr) + ".";
            if (a.unit) s += variant % 4 == 0 ? ", Apt " + unit : variant % 4 == 1 ? " Apt. " + unit : variant % 4 == 2 ? " #" + unit : ", Apt. " + unit;
            return s;
        }
        case Country::GB: {
            const char* name = kGbStreets[a.street / std::size(kGbTypes)];
            const StreetType& t = kGbTypes[a.street % std::size(kGbTypes)];
            std::string s = a.unit ? (variant % 2 ? "Flat " + unit + ", " : unit + "/") : "";
            return s + num + " " + name + " " + (variant % 3 == 1 ? t.abbr : t.full);
        }
        case Country::FR: {
            const char* name = kFrStreets[a.street / std::size(kFrTypes)];
            const StreetType& t = kFrTypes[a.street % std::size(kFrTypes)];
            std::string s;
            switch (variant % 4) {
                case 1: s = num + ", " + t.full + " " + name; break;
                case 2: s = num + " " + t.abbr + " " + name; break;
                case 3: s = latin_upper(num + " " + t.full + " " + name); break;
                default: s = num + " " + t.full + " " + name; break;
            }
            if (a.unit) s += variant % 2 ? ", apt " + unit : ", " + std::to_string(a.floor) + "e étage";
            return s;
        }
        case Country::DE: {
            const std::string name = kDeStreets[a.street];
            switch (variant % 4) {
                case 1: return name + "str. " + num;
                case 2: return name + "strasse " + num;
                case 3: return name + "straße " + num + (a.letter ? std::string(1, static_cast<char>(a.letter + 32)) : "");
                default: return name + "straße " + num;
            }
        }
        case Country::ES: {
            const char* name = kEsStreets[a.street / std::size(kEsTypes)];
            const StreetType& t = kEsTypes[a.street % std::size(kEsTypes)];
            std::string s = (variant % 2 ? std::string(t.abbr) + (t.abbr[std::strlen(t.abbr) - 1] == '/' ? "" : " ") : std::string(t.full) + " ") + name;
            s += variant % 3 == 0 ? ", " + num : variant % 3 == 1 ? " " + num : ", nº " + num;
            if (a.unit) s += variant % 2 ? " " + std::to_string(a.floor) + "º " + std::string(1, a.letter ? a.letter : 'A')
                                         : ", " + std::to_string(a.floor) + std::string(1, a.letter ? a.letter : 'A');
            return s;
        }
        default: {
            const char* street = kInStreets[a.street];
            const std::size_t n = part_count(street);
            std::string s = part(street, n > 1 ? static_cast<std::size_t>(variant) % n : 0);
            if (a.unit) return (variant % 2 ? "Flat No. " + std::to_string(a.unit) + ", " : std::to_string(a.unit) + "/") + num + ", " + s;
            return num + ", " + s;
        }
    }
}

std::string render_city_real(Country c, std::uint16_t city, int variant, Rng& rng) {
    if (c == Country::CN) {
        const ChineseCity& k = chinese_cities()[city];
        switch (variant % 8) {
            case 1: return std::string(k.han) + "市";
            case 2: return k.traditional;
            case 3: return part(k.pinyin, 0);
            case 4: return latin_upper(part(k.pinyin, 0));
            default: return k.han;
        }
    }
    const City& k = cities(c)[city];
    const std::size_t n = part_count(k.variants);
    switch (variant % 6) {
        case 1: return n > 0 ? part(k.variants, rng.below(n)) : std::string(k.name);
        case 2: return fold_diacritics(k.name);
        case 3: return latin_upper(k.name);
        default: return k.name;
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and gender as different sources write them.

enum RealDateFormat : int {
    kRdIso = 0,         // 1991-05-20
    kRdDashDmy,         // 27-06-1998
    kRdSlashDmy,        // 27/06/1998
    kRdSlashMdyShort,   // 12/4/1975 (US, no padding)
    kRdSlashDmyShort,   // 4/12/1975 (day first, no padding)
    kRdDotted,          // 12.04.1975
    kRdChinese,         // 1975年4月12日
    kRdYearSlash,       // 1975/4/12
    kRdCompact,         // 19750412
    kRdMonthName,       // April 12, 1975
    kRdDayMonthName,    // 12 April 1975
};

std::string format_date_real(CivilDate d, int f) {
    auto p2 = [](int v) { return digits(static_cast<std::uint64_t>(v), 2); };
    const std::string y = std::to_string(d.year), m = std::to_string(d.month), dd = std::to_string(d.day);
    switch (f) {
        case kRdDashDmy: return p2(d.day) + "-" + p2(d.month) + "-" + y;
        case kRdSlashDmy: return p2(d.day) + "/" + p2(d.month) + "/" + y;
        case kRdSlashMdyShort: return m + "/" + dd + "/" + y;
        case kRdSlashDmyShort: return dd + "/" + m + "/" + y;
        case kRdDotted: return p2(d.day) + "." + p2(d.month) + "." + y;
        case kRdChinese: return y + "年" + m + "月" + dd + "日";
        case kRdYearSlash: return y + "/" + m + "/" + dd;
        case kRdCompact: return y + p2(d.month) + p2(d.day);
        case kRdMonthName: return format_date(d, kDateMonthNameDay);
        case kRdDayMonthName: return format_date(d, kDateDayMonthName);
        default: return y + "-" + p2(d.month) + "-" + p2(d.day);
    }
}

int pick_date_format_real(Country c, Rng& rng) {
    const auto r = rng.below(100);
    if (r < 40) return kRdIso;
    switch (c) {
        case Country::CN: return r < 65 ? kRdChinese : r < 80 ? kRdYearSlash : r < 92 ? kRdCompact : kRdDashDmy;
        case Country::US: return r < 80 ? kRdSlashMdyShort : r < 92 ? kRdMonthName : kRdCompact;
        case Country::GB: return r < 70 ? kRdSlashDmy : r < 82 ? kRdDayMonthName : r < 92 ? kRdSlashDmyShort : kRdDashDmy;
        case Country::DE: return r < 80 ? kRdDotted : r < 90 ? kRdCompact : kRdDashDmy;
        default: return r < 60 ? kRdSlashDmy : r < 85 ? kRdDashDmy : r < 93 ? kRdSlashDmyShort : kRdCompact;
    }
}

std::string render_gender(Country c, bool female, Rng& rng) {
    static constexpr const char* kCommon[][2] = {{"M", "F"}, {"male", "female"}, {"Male", "Female"},
                                                 {"MALE", "FEMALE"}, {"m", "f"}};
    const auto r = rng.below(100);
    if (r < 55) return kCommon[r < 30 ? 0 : r < 40 ? 1 : r < 47 ? 2 : r < 51 ? 3 : 4][female];
    static constexpr const char* kLocal[kCountries][3][2] = {
        {{"男", "女"}, {"男性", "女性"}, {"先生", "女士"}},
        {{"Mr", "Mrs"}, {"Mr.", "Ms."}, {"man", "woman"}},
        {{"Mr", "Mrs"}, {"Mr", "Ms"}, {"man", "woman"}},
        {{"H", "F"}, {"homme", "femme"}, {"M.", "Mme"}},
        {{"M", "W"}, {"männlich", "weiblich"}, {"Herr", "Frau"}},
        {{"H", "M"}, {"hombre", "mujer"}, {"masculino", "femenino"}},
        {{"M", "F"}, {"Male", "Female"}, {"Mr.", "Smt."}},
    };
    return kLocal[static_cast<int>(c)][rng.below(3)][female];
}

// ---------------------------------------------------------------------------------------------
// Sources: what each kind of form fills.

enum Slot : int { kName = 0, kPhone, kEmail, kDob, kId, kGender, kAddress, kCity, kCountry, kSlots };

struct Source {
    int weight;
    double fill[kSlots];
};
// name, phone, email, dob, id, gender, address, city, country. Weighted means: phone ~0.76,
// e-mail ~0.68, birth date ~0.62, ID ~0.21 before copies drop keys (the measured record rates
// come out near 3/4, 2/3, 3/5 and 1/5; see test_generator_realistic.cpp).
constexpr Source kSources[] = {
    {30, {1.0, 0.56, 0.98, 0.60, 0.10, 0.50, 0.35, 0.70, 0.95}},  // web sign-up
    {25, {1.0, 0.96, 0.56, 0.50, 0.05, 0.70, 0.25, 0.50, 0.90}},  // mobile app
    {20, {1.0, 0.86, 0.56, 0.42, 0.05, 0.40, 0.80, 0.90, 0.80}},  // shop / loyalty card
    {12, {1.0, 0.80, 0.70, 0.98, 0.95, 0.95, 0.95, 0.95, 0.98}},  // KYC / bank check
    {13, {1.0, 0.60, 0.30, 0.75, 0.25, 0.60, 0.70, 0.80, 0.60}},  // legacy import
};

int pick_source(Rng& rng) {
    std::uint64_t r = rng.below(100);
    for (int i = 0; i < static_cast<int>(std::size(kSources)); ++i) {
        if (r < static_cast<std::uint64_t>(kSources[i].weight)) return i;
        r -= static_cast<std::uint64_t>(kSources[i].weight);
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Names.

struct NameForm {
    ChineseNameForm cn;
    int layout = 0;           // Latin: 0 "Given Surname", 1 "SURNAME Given", 2 "Surname, Given", 3 "Surname Given"
    bool use_alt = false;     // nickname / other spelling
    bool initial = false;     // "J. Smith"
    bool middle = false;      // middle initial shown
    bool second_surname = true;  // Spanish: both surnames
    int case_style = 0;       // 0 as is, 1 upper, 2 lower
    bool fold = false;        // diacritics folded
    bool typo = false;
};

std::string latin_name_text(const RealPerson& p, const NameForm& f, Rng& rng) {
    std::string given = f.use_alt && !p.given_alt.empty() ? p.given_alt : p.given;
    if (f.initial) {
        const unsigned char c0 = static_cast<unsigned char>(given[0]);
        const std::size_t len = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : 3;
        given = given.substr(0, len) + ".";
    }
    if (f.middle && p.middle_initial) given += std::string(" ") + p.middle_initial + ".";
    std::string sur = p.surname;
    if (!p.surname2.empty() && f.second_surname) sur += " " + p.surname2;
    std::string s;
    switch (f.layout) {
        case 1: s = latin_upper(sur) + " " + given; break;
        case 2: s = sur + ", " + given; break;
        case 3: s = sur + " " + given; break;
        default: s = given + " " + sur; break;
    }
    if (f.fold) s = fold_diacritics(s, p.country == Country::DE);
    if (f.case_style == 1) s = latin_upper(s);
    if (f.case_style == 2) s = latin_lower(s);
    if (f.typo) s = with_typo(s, rng);
    return s;
}

NameForm first_name_form(const RealPerson& p, Rng& rng) {
    NameForm f;
    if (p.country == Country::CN) {
        f.cn = original_chinese_form(p.cn, rng);
        return f;
    }
    f.layout = rng.chance(0.1) ? static_cast<int>(1 + rng.below(3)) : 0;
    f.middle = p.middle_initial && rng.chance(0.5);
    f.second_surname = p.surname2.empty() || rng.chance(0.7);
    return f;
}

void vary_name_form(const RealPerson& p, NameForm& f, Rng& rng, double c) {
    if (p.country == Country::CN) {
        if (rng.chance(0.35 * c)) restyle_chinese_form(p.cn, f.cn, rng);
        const bool han = f.cn.style == kNameHan || f.cn.style == kNameTraditional || f.cn.style == kNameHanSpaced;
        if (han && rng.chance(0.05 * c)) swap_in_homophone(p.cn, f.cn, rng);
        f.typo = !han && rng.chance(0.05 * c);
        return;
    }
    if (!p.given_alt.empty() && rng.chance(0.2 * c)) f.use_alt = !f.use_alt;
    if (rng.chance(0.04 * c)) f.initial = true;
    if (p.middle_initial && rng.chance(0.2 * c)) f.middle = !f.middle;
    if (!p.surname2.empty() && rng.chance(0.3 * c)) f.second_surname = !f.second_surname;
    if (rng.chance(0.15 * c)) f.layout = static_cast<int>(rng.below(4));
    if (rng.chance(0.25 * c)) f.fold = true;
    if (rng.chance(0.08 * c)) f.case_style = static_cast<int>(1 + rng.below(2));
    f.typo = rng.chance(0.12 * c);
}

std::string name_text(const RealPerson& p, const NameForm& f, Rng& rng) {
    if (p.country != Country::CN) return latin_name_text(p, f, rng);
    std::string s = render_chinese_name(p.cn, f.cn);
    if (f.typo) s = with_typo(s, rng);
    return s;
}

// ---------------------------------------------------------------------------------------------
// One record's plan.

enum CopyKind : int { kFirst = 0, kNormal, kNoExactKey, kNameOnly };

struct RecordPlan {
    bool present[kSlots] = {};
    NameForm name;
    int phone_choice = 1;  // 1 phone1, 2 phone2, 3 home phone
    int phone_style = 0;
    bool phone_typo = false;
    int email_choice = 1;  // 1 email1, 2 email2, 3 family e-mail
    int email_case = 0;
    bool email_typo = false;
    CivilDate dob{};
    int dob_format = 0;
    int id_style = 0;
    bool id_typo = false;
    int address_choice = 1;  // 1 address1, 2 address2
    int address_variant = 0;
    int city_variant = 0;
    int country_style = 0;   // 0 code, 1 lower-case code, 2 name
};

int pick_phone_style(Rng& rng) {
    const int national = static_cast<int>(rng.below(4));
    if (rng.chance(0.20)) return 4 + static_cast<int>(rng.below(4));
    return rng.chance(0.6) ? 0 : national;
}

RecordPlan plan_fields(const RealPerson& p, int source, Rng& rng) {
    RecordPlan r;
    for (int s = 0; s < kSlots; ++s) r.present[s] = rng.chance(kSources[source].fill[s]);
    r.name = first_name_form(p, rng);
    r.phone_choice = p.home_phone.empty() || !rng.chance(0.35) ? 1 : 3;
    r.phone_style = pick_phone_style(rng);
    r.email_choice = !p.family_email.empty() && rng.chance(0.15) ? 3 : 1;
    r.email_case = rng.chance(0.05) ? 1 : 0;
    r.dob = p.birth;
    r.dob_format = pick_date_format_real(p.country, rng);
    r.id_style = static_cast<int>(rng.below(2));
    r.address_variant = static_cast<int>(rng.below(4));
    r.city_variant = rng.chance(0.7) ? 0 : static_cast<int>(rng.below(6));
    const auto cs = rng.below(100);
    r.country_style = cs < 93 ? 0 : cs < 97 ? 1 : 2;
    return r;
}

// Changes a copy makes on top of its own draws: other phone / e-mail / address (the person's
// second ones), typos, a day/month swap.
void vary_copy(const RealPerson& p, RecordPlan& r, Rng& rng, double c) {
    vary_name_form(p, r.name, rng, c);
    if (!p.phone2.empty() && rng.chance(0.40)) r.phone_choice = 2;
    r.phone_typo = rng.chance(0.03 * c);
    if (!p.email2.empty() && rng.chance(0.40)) r.email_choice = 2;
    r.email_typo = rng.chance(0.03 * c);
    if (p.moved && rng.chance(0.4)) r.address_choice = 2;
    r.id_typo = rng.chance(0.03 * c);
    CivilDate& d = r.dob;
    if (d.day <= 12 && d.day != d.month && rng.chance(0.04 * c)) {
        std::swap(d.day, d.month);
    } else if (rng.chance(0.04 * c)) {
        switch (rng.below(3)) {
            case 0: d.day = d.day == 1 ? 2 : d.day - 1; break;
            case 1: d.month = d.month == 12 ? 11 : d.month + 1; break;
            default: d.year += rng.chance(0.5) ? 1 : -1; break;
        }
        d.day = std::min(d.day, days_in_month(d.year, d.month));
    }
}

bool shares(const RecordPlan& a, const RecordPlan& b, int slot) {
    if (!a.present[slot] || !b.present[slot]) return false;
    switch (slot) {
        case kPhone: return a.phone_choice == b.phone_choice;
        case kEmail: return a.email_choice == b.email_choice;
        case kAddress: return a.address_choice == b.address_choice;
        default: return true;
    }
}

// Shapes a copy against the first record: name-only pairs drop every shared key, pairs without
// an exact key keep a birth date or an address, normal pairs keep one key when the first record
// has one.
void shape_copy(const RealPerson& p, const RecordPlan& first, RecordPlan& r, CopyKind kind, Rng& rng) {
    if (kind == kNameOnly || kind == kNoExactKey) {
        for (int s : {kPhone, kEmail, kId}) {
            if (!shares(first, r, s)) continue;
            if (s == kPhone && !p.phone2.empty() && first.phone_choice != 2) r.phone_choice = 2;
            else if (s == kEmail && !p.email2.empty() && first.email_choice != 2) r.email_choice = 2;
            else r.present[s] = false;
        }
        if (kind == kNameOnly) {
            r.present[kDob] = false;
            if (shares(first, r, kAddress)) {
                if (p.moved && first.address_choice != 2) r.address_choice = 2;
                else r.present[kAddress] = false;
            }
            if (rng.chance(0.5)) r.present[kCity] = false;
            if (rng.chance(0.5)) r.present[kGender] = false;
        } else if (!shares(first, r, kDob) && !shares(first, r, kAddress)) {
            if (first.present[kDob]) r.present[kDob] = true;
            else if (first.present[kAddress]) r.present[kAddress] = true, r.address_choice = first.address_choice;
        }
        return;
    }
    if (shares(first, r, kPhone) || shares(first, r, kEmail) || shares(first, r, kId)) return;
    if (first.present[kPhone]) r.present[kPhone] = true, r.phone_choice = first.phone_choice;
    else if (first.present[kEmail]) r.present[kEmail] = true, r.email_choice = first.email_choice;
    else if (first.present[kId]) r.present[kId] = true;
    else if (shares(first, r, kDob) || shares(first, r, kAddress)) return;
    else if (first.present[kDob]) r.present[kDob] = true;
    else if (first.present[kAddress]) r.present[kAddress] = true, r.address_choice = first.address_choice;
}

std::string render_id(const RealPerson& p, int style, bool typo, Rng& rng) {
    std::string id = p.id;
    if (typo) {
        std::size_t pos = rng.below(id.size());
        for (std::size_t k = 0; k < id.size() && !(id[pos] >= '0' && id[pos] <= '9'); ++k) pos = (pos + 1) % id.size();
        if (id[pos] >= '0' && id[pos] <= '9') id[pos] = static_cast<char>('0' + (id[pos] - '0' + 1 + static_cast<int>(rng.below(9))) % 10);
    }
    if (style == 0) return id;
    switch (p.country) {
        case Country::US: return id.substr(0, 3) + "-" + id.substr(3, 2) + "-" + id.substr(5);
        case Country::GB: return grouped(id, {2, 2, 2, 2, 1}, " ");
        case Country::FR: return grouped(id, {1, 2, 2, 2, 3, 3, 2}, " ");
        case Country::DE: return grouped(id, {2, 3, 3, 3}, " ");
        case Country::ES: return id.substr(0, 8) + "-" + id.substr(8);
        case Country::IN: return grouped(id, {4, 4, 4}, " ");
        default: return id.back() == 'X' ? id.substr(0, 17) + "x" : id;
    }
}

std::string render_email(const std::string& address, int case_style, bool typo, Rng& rng) {
    std::string s = address;
    if (typo) {
        const std::size_t at = s.find('@');
        s = with_typo(s.substr(0, at), rng) + s.substr(at);
    }
    if (case_style) {
        bool start = true;
        for (char& ch : s) {
            if (start && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
            start = ch == '.' || ch == '@' || ch == '_';
        }
    }
    return s;
}

RecordFields render_plan(const RealPerson& p, const RecordPlan& r, Rng& rng) {
    RecordFields out;
    if (r.present[kName]) out.full_name = name_text(p, r.name, rng);
    if (r.present[kPhone]) {
        const std::string& n = r.phone_choice == 3 ? p.home_phone : r.phone_choice == 2 ? p.phone2 : p.phone1;
        const bool landline = r.phone_choice == 3 ? p.home_landline : r.phone_choice == 1 && p.phone1_landline;
        std::string nsn = n;
        if (r.phone_typo && nsn.size() > 4) {
            const std::size_t pos = 3 + rng.below(nsn.size() - 3);
            nsn[pos] = static_cast<char>('0' + (nsn[pos] - '0' + 1 + static_cast<int>(rng.below(9))) % 10);
        }
        out.phone = format_phone_real(p.country, landline, nsn, r.phone_style);
    }
    if (r.present[kEmail]) {
        const std::string& e = r.email_choice == 3 ? p.family_email : r.email_choice == 2 ? p.email2 : p.email1;
        out.email = render_email(e, r.email_case, r.email_typo, rng);
    }
    if (r.present[kDob]) out.birth_date = format_date_real(r.dob, r.dob_format);
    if (r.present[kId]) out.id_number = render_id(p, r.id_style, r.id_typo, rng);
    if (r.present[kGender]) out.gender = render_gender(p.country, p.female, rng);
    const StreetAddress& a = r.address_choice == 2 ? p.address2 : p.address1;
    if (r.present[kAddress]) out.address = render_address(p.country, a, r.address_variant);
    if (r.present[kCity]) out.city = render_city_real(p.country, a.city, r.city_variant, rng);
    if (r.present[kCountry]) {
        const int c = static_cast<int>(p.country);
        out.country = r.country_style == 0 ? kCountryCodes[c]
                      : r.country_style == 1 ? latin_lower(kCountryCodes[c])
                                             : kCountryNames[c];
    }
    return out;
}

}  // namespace

const char* country_code(Country c) noexcept { return kCountryCodes[static_cast<int>(c)]; }

// ---------------------------------------------------------------------------------------------
// People.

RealisticFactory::RealisticFactory(std::uint64_t seed, double duplicate_rate, double chinese_share)
    : seed_(seed), chinese_share_(chinese_share) {
    const double mean_extras = duplicate_rate / (1.0 - duplicate_rate);
    double mean_when_duplicated = kMeanCopiesWhenDuplicated;
    dup_probability_ = mean_extras / mean_when_duplicated;
    if (dup_probability_ > 1.0) {
        dup_probability_ = 1.0;
        mean_when_duplicated = mean_extras;
    }
    stop_probability_ = 1.0 / mean_when_duplicated;
}

bool RealisticFactory::claim(std::uint64_t kind, const std::string& value) {
    return taken_.insert(hash_text(kind, value));
}

// Every string below is built one draw per statement: the operands of + are unsequenced, and the
// output must not depend on the order a compiler evaluates them in.
std::string RealisticFactory::new_phone(Country c, bool landline, Rng& rng) {
    static constexpr const char* kDeMobile[] = {"151", "152", "157", "159", "160", "162", "170", "171", "172",
                                                "173", "174", "175", "176", "177", "178", "179"};
    std::string n;
    do {
        n.clear();
        switch (c) {
            case Country::CN:
                n = pick_weighted(cn_mobile_prefixes(), rng);
                n += random_digits(rng, 8);
                break;
            case Country::US: {
                const auto areas = us_area_codes();
                n = areas[rng.below(areas.size)];
                std::uint64_t exchange = 200 + rng.below(800);
                if (exchange % 100 == 11) ++exchange;
                n += std::to_string(exchange);
                n += random_digits(rng, 4);
                break;
            }
            case Country::GB:
                if (landline) {
                    n = "20";
                    n += "378"[rng.below(3)];
                    n += random_digits(rng, 7);
                } else {
                    n = "7";
                    n += static_cast<char>('4' + rng.below(6));
                    n += random_digits(rng, 8);
                }
                break;
            case Country::FR:
                n = landline ? static_cast<char>('1' + rng.below(5)) : (rng.chance(0.7) ? '6' : '7');
                n += random_digits(rng, 8);
                break;
            case Country::DE:
                if (landline) {
                    n = rng.chance(0.6) ? "30" : "89";
                    n += static_cast<char>('2' + rng.below(8));
                    n += random_digits(rng, 7);
                } else {
                    n = kDeMobile[rng.below(std::size(kDeMobile))];
                    const bool long_number = n[1] == '5';
                    n += static_cast<char>('1' + rng.below(9));
                    n += random_digits(rng, long_number ? 7 : 6);
                }
                break;
            case Country::ES:
                if (landline) {
                    n = rng.chance(0.6) ? "91" : "93";
                    n += static_cast<char>('2' + rng.below(8));
                    n += random_digits(rng, 6);
                } else {
                    n = "6";
                    n += static_cast<char>('0' + rng.below(10));
                    n += random_digits(rng, 7);
                }
                break;
            default:
                n = static_cast<char>('7' + rng.below(3));
                n += random_digits(rng, 9);
                break;
        }
    } while (!claim(kKindPhone, n));
    return n;
}

std::string RealisticFactory::new_email(const RealPerson& p, Rng& rng, bool second) {
    std::string f, l;
    if (p.country == Country::CN) {
        f = pinyin_given(p.cn), l = p.cn.surname->pinyin;
    } else {
        f = ascii_slug(second && !p.given_alt.empty() && rng.chance(0.4) ? p.given_alt : p.given);
        l = ascii_slug(p.surname);
    }
    std::string domain = second && rng.chance(0.4) ? kWorkDomains[rng.below(std::size(kWorkDomains))]
                                                   : pick_weighted(email_domains(p.country), rng);
    std::string local;
    if (domain == "qq.com" && rng.chance(0.5)) {
        local = std::to_string(rng.between(1, 9));
        const int more = rng.between(5, 9);
        local += random_digits(rng, more);
    } else {
        switch (rng.below(7)) {
            case 0: local = f + "." + l; break;
            case 1: local = f + l; break;
            case 2: local = f.substr(0, 1) + l; break;
            case 3: local = l + "." + f; break;
            case 4: local = f + "_" + l; break;
            case 5: local = l + f.substr(0, 1); break;
            default: local = f + l.substr(0, 1); break;
        }
        if (rng.chance(0.45)) {
            if (rng.chance(0.5)) {
                local += std::to_string(p.birth.year);
            } else {
                const int count = rng.between(2, 3);
                local += random_digits(rng, count);
            }
        }
    }
    std::string address = local + "@" + domain;
    while (!claim(kKindEmail, address)) address = local + random_digits(rng, 3) + "@" + domain;
    return address;
}

std::string RealisticFactory::new_id(const RealPerson& p, Rng& rng) {
    auto two = [](int v) { return digits(static_cast<std::uint64_t>(v), 2); };
    std::string id;
    do {
        id.clear();
        switch (p.country) {
            case Country::CN: {
                const auto cities_cn = chinese_cities();
                const ChineseCity& k = cities_cn[rng.skewed(cities_cn.size, 1.5)];
                const Part d = part_at(k.districts, rng.below(part_count(k.districts)));
                id = k.region4;
                id.append(d.data, d.size);
                id += digits(static_cast<std::uint64_t>(p.birth.year), 4) + two(p.birth.month) + two(p.birth.day);
                id += digits(rng.below(100), 2);
                id += std::to_string(rng.below(5) * 2 + (p.female ? 0 : 1));  // 17th digit: odd for men
                id += prc_id_check_character(id);
                break;
            }
            case Country::US:
                id = std::to_string(rng.between(100, 665));
                id += two(rng.between(1, 99));
                id += digits(static_cast<std::uint64_t>(rng.between(1, 9999)), 4);
                break;
            case Country::GB: {
                static constexpr char kLetters[] = "ABCEGHJKLMNPRSTWXYZ";
                id = kLetters[rng.below(19)];
                id += kLetters[rng.below(19)];
                id += random_digits(rng, 6);
                id += static_cast<char>('A' + rng.below(4));
                break;
            }
            case Country::FR: {  // INSEE: sex, yy, mm, department, commune, order, key = 97 - n % 97
                id = p.female ? "2" : "1";
                id += two(p.birth.year % 100) + two(p.birth.month);
                id += two(rng.between(1, 95));
                id += digits(static_cast<std::uint64_t>(rng.between(1, 999)), 3);
                id += digits(static_cast<std::uint64_t>(rng.between(1, 999)), 3);
                id += digits(97 - std::strtoull(id.c_str(), nullptr, 10) % 97, 2);
                break;
            }
            case Country::DE:
                id = std::to_string(rng.between(1, 9));
                id += random_digits(rng, 10);
                break;
            case Country::ES: {  // DNI: 8 digits and the mod-23 letter
                const std::uint64_t n = rng.below(100000000ull);
                id = digits(n, 8);
                id += "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23];
                break;
            }
            default:
                id = std::to_string(rng.between(2, 9));
                id += random_digits(rng, 11);
                break;
        }
    } while (!claim(kKindId, id));
    return id;
}

StreetAddress RealisticFactory::new_address(Country c, Rng& rng) {
    StreetAddress a;
    a.city = static_cast<std::uint16_t>(rng.skewed(city_count(c), 1.5));
    a.street = static_cast<std::uint16_t>(rng.below(street_count(c)));
    a.number = static_cast<std::uint16_t>(1 + rng.skewed(c == Country::US ? 9000 : 150, 2.0));
    const bool flat = c == Country::CN ? true : rng.chance(c == Country::US ? 0.3 : 0.4);
    if (flat) {
        a.floor = static_cast<std::uint8_t>(rng.between(1, 8));
        a.unit = static_cast<std::uint16_t>(c == Country::CN ? a.floor * 100 + rng.between(1, 4) : rng.between(1, 40));
        if (c == Country::US || c == Country::ES) a.letter = static_cast<char>('A' + rng.below(4));
    }
    return a;
}

void RealisticFactory::name_person(RealPerson& p, Rng& rng) {
    if (p.country == Country::CN) {
        Entity& e = p.cn;
        e.chinese = true;
        e.female = p.female;
        const auto sn = chinese_surnames();
        std::uint64_t r = rng.below(chinese_surname_weight_total());
        std::size_t i = 0;
        for (; i + 1 < sn.size && r >= sn[i].weight; ++i) r -= sn[i].weight;
        e.surname = &sn[i];
        const auto chars = p.female ? female_given_chars() : male_given_chars();
        if (rng.chance(0.25)) {
            e.given_count = 1;
            e.given[0] = &chars[rng.skewed(chars.size, 2.0)];
        } else {
            std::size_t a = rng.skewed(chars.size, 1.5), b = rng.skewed(chars.size, 1.5);
            if (a == b) b = (b + 1) % chars.size;
            e.given_count = 2;
            e.given[0] = &chars[a];
            e.given[1] = &chars[b];
        }
        if (rng.chance(0.12)) {
            const auto english = english_given_names_for_chinese();
            e.english_name = p.female ? english[20 + rng.below(english.size - 20)] : english[rng.below(20)];
        }
        return;
    }
    if (p.country == Country::US || p.country == Country::GB) {
        const auto given = p.female ? latin_female_given_names() : latin_male_given_names();
        const LatinGivenName& g = given[rng.skewed(std::min<std::size_t>(given.size, 90), 1.5)];
        p.given = g.name;
        const std::size_t nicknames = part_count(g.nicknames);
        p.given_alt = nicknames > 0 ? part(g.nicknames, rng.below(nicknames)) : std::string();
        p.surname = latin_surnames()[rng.skewed(150, 1.5)];
        if (p.country == Country::US && rng.chance(0.4)) p.middle_initial = "ABCDEFGHJKLMNPRSTW"[rng.below(18)];
        return;
    }
    const auto given = given_names(p.country, p.female);
    const char* g = given[rng.skewed(given.size, 1.5)];
    p.given = part(g, 0);
    p.given_alt = part_count(g) > 1 ? part(g, 1) : std::string();
    const auto sn = surnames(p.country);
    p.surname = part(sn[rng.skewed(sn.size, 1.5)], 0);
    if (p.country == Country::ES) p.surname2 = part(sn[rng.skewed(sn.size, 1.5)], 0);
}

RealPerson RealisticFactory::make(std::uint32_t index) {
    Rng rng(derive_seed(seed_, kStreamRealEntity, index));
    RealPerson p;
    p.index = index;
    if (rng.chance(dup_probability_)) {
        std::uint16_t extras = 1;
        while (extras < kMaxExtraCopies && !rng.chance(stop_probability_)) ++extras;
        p.extra_copies = extras;
    }
    p.female = rng.chance(0.5);
    static constexpr std::int64_t kFirstDay = -10958;  // 1940-01-01
    static constexpr std::int64_t kLastDay = 13148;    // 2005-12-31
    p.birth = civil_from_days(kFirstDay + static_cast<std::int64_t>(rng.below(kLastDay - kFirstDay + 1)));

    const bool member = household_left_ > 0;
    if (member) {
        --household_left_;
        p.country = head_.country;
        // Same surname, another given name; a quarter are twins of the previous member.
        for (int attempt = 0; attempt < 4; ++attempt) {
            name_person(p, rng);
            if (p.country == Country::CN) {
                p.cn.surname = head_.cn.surname;
                if (p.cn.given[0] != head_.cn.given[0]) break;
            } else {
                p.surname = head_.surname;
                if (p.given != head_.given) break;
            }
        }
        if (rng.chance(0.25)) {
            p.birth = head_.birth;  // twins
        } else if (rng.chance(0.5)) {
            const std::int64_t d = days_from_civil(head_.birth) + static_cast<std::int64_t>(rng.below(3650)) - 1825;
            p.birth = civil_from_days(std::min<std::int64_t>(d, kLastDay));  // partner
        } else {
            const std::int64_t d = days_from_civil(head_.birth) + 365 * 22 + static_cast<std::int64_t>(rng.below(365 * 15));
            p.birth = civil_from_days(std::min<std::int64_t>(d, kLastDay));  // child
        }
        p.address1 = head_.address1;
        p.home_phone = head_.home_phone;
        p.home_landline = head_.home_landline;
        p.family_email = head_.email1;
    } else {
        if (rng.chance(chinese_share_)) {
            p.country = Country::CN;
        } else {
            std::uint64_t r = rng.below(100);
            int c = 1;
            for (; c < kCountries - 1 && r >= static_cast<std::uint64_t>(kOtherCountryShare[c]); ++c)
                r -= static_cast<std::uint64_t>(kOtherCountryShare[c]);
            p.country = static_cast<Country>(c);
        }
        name_person(p, rng);
        // Namesakes: same name and birth date as someone recent, otherwise a different person.
        if (!recent_.empty() && rng.chance(0.03)) {
            const RealPerson& other = recent_[rng.below(recent_.size())];
            p.country = other.country;
            p.female = other.female;
            p.cn = other.cn;
            p.given = other.given, p.given_alt = other.given_alt, p.surname = other.surname, p.surname2 = other.surname2;
            p.middle_initial = other.middle_initial;
            p.birth = other.birth;
        }
        p.address1 = new_address(p.country, rng);
    }
    if (p.country == Country::CN) p.cn.index = index;

    p.phone1 = new_phone(p.country, false, rng);
    if (p.extra_copies > 0 && rng.chance(0.45)) p.phone2 = new_phone(p.country, false, rng);
    p.email1 = new_email(p, rng, false);
    if (p.extra_copies > 0 && rng.chance(0.5)) p.email2 = new_email(p, rng, true);
    if (p.extra_copies > 0 && rng.chance(0.25)) {
        p.moved = true;
        p.address2 = new_address(p.country, rng);
        if (rng.chance(0.5)) p.address2.city = p.address1.city;
    }
    p.id = new_id(p, rng);

    if (!member && rng.chance(0.10)) {
        // A new household: 1-3 more people follow, sharing its phone and address.
        household_left_ = static_cast<int>(1 + rng.below(3));
        const bool landline = p.country != Country::CN && p.country != Country::IN;
        p.home_phone = landline ? new_phone(p.country, true, rng) : p.phone1;
        p.home_landline = landline;
        head_ = p;
    }
    if (recent_.size() < 256) recent_.push_back(p);
    else recent_[index % 256] = p;
    return p;
}

// ---------------------------------------------------------------------------------------------
// Records.

RecordFields render_realistic(const RealPerson& p, std::uint32_t copy, std::uint64_t seed, double corruption) {
    Rng first_rng(derive_seed(seed, kStreamRealRecord, static_cast<std::uint64_t>(p.index) << 16));
    const int first_source = pick_source(first_rng);
    const RecordPlan first = plan_fields(p, first_source, first_rng);
    if (copy == 0) return render_plan(p, first, first_rng);

    Rng rng(derive_seed(seed, kStreamRealRecord, (static_cast<std::uint64_t>(p.index) << 16) | copy));
    const int source = pick_source(rng);
    RecordPlan r = plan_fields(p, source, rng);
    r.name = first.name;
    vary_copy(p, r, rng, corruption);
    const double u = rng.unit();
    const CopyKind kind = u < 0.02 ? kNameOnly : u < 0.24 ? kNoExactKey : kNormal;
    shape_copy(p, first, r, kind, rng);
    return render_plan(p, r, rng);
}

}  // namespace usermatch::generate::detail

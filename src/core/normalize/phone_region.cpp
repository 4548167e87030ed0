// phone_region_of_country: what a country column means as a phone region (normalize.hpp).
// Junk gives std::nullopt, never an error: a run must not fail because one record's country is
// "N/A" or "🙂"; the field's own regions are then used.
#include "core/normalize/normalize.hpp"
#include "core/normalize/phone_metadata.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

namespace usermatch::normalize {
namespace {

struct Country {
    const char* alpha2;
    const char* alpha3;
    const char* names;  // lower-case English names and Chinese names, '|' separated
};

// The countries of most user data; alpha-2 codes of any other region libphonenumber knows are
// accepted as well (checked against its metadata).
constexpr Country kCountries[] = {
    {"CN", "CHN", "china|people's republic of china|prc|mainland china|中国|中華人民共和國|中华人民共和国|中国大陆"},
    {"US", "USA", "united states|united states of america|usa|u.s.a.|u.s.|america|美国|美國"},
    {"CA", "CAN", "canada|加拿大"},
    {"GB", "GBR", "united kingdom|uk|u.k.|great britain|britain|england|scotland|wales|northern ireland|英国|英國"},
    {"FR", "FRA", "france|法国|法國"},
    {"DE", "DEU", "germany|deutschland|德国|德國"},
    {"IN", "IND", "india|印度"},
    {"JP", "JPN", "japan|日本"},
    {"AU", "AUS", "australia|澳大利亚|澳洲"},
    {"BR", "BRA", "brazil|brasil|巴西"},
    {"ES", "ESP", "spain|españa|espana|西班牙"},
    {"IT", "ITA", "italy|italia|意大利"},
    {"HK", "HKG", "hong kong|hongkong|香港"},
    {"TW", "TWN", "taiwan|台湾|台灣"},
    {"MO", "MAC", "macau|macao|澳门|澳門"},
    {"SG", "SGP", "singapore|新加坡"},
    {"KR", "KOR", "south korea|korea|republic of korea|韩国|韓國"},
    {"RU", "RUS", "russia|russian federation|俄罗斯"},
    {"MX", "MEX", "mexico|méxico|墨西哥"},
    {"NL", "NLD", "netherlands|the netherlands|holland|荷兰"},
    {"BE", "BEL", "belgium|比利时"},
    {"CH", "CHE", "switzerland|瑞士"},
    {"AT", "AUT", "austria|奥地利"},
    {"SE", "SWE", "sweden|瑞典"},
    {"NO", "NOR", "norway|挪威"},
    {"DK", "DNK", "denmark|丹麦"},
    {"FI", "FIN", "finland|芬兰"},
    {"IE", "IRL", "ireland|爱尔兰"},
    {"PT", "PRT", "portugal|葡萄牙"},
    {"PL", "POL", "poland|波兰"},
    {"GR", "GRC", "greece|希腊"},
    {"TR", "TUR", "turkey|türkiye|turkiye|土耳其"},
    {"NZ", "NZL", "new zealand|新西兰"},
    {"ZA", "ZAF", "south africa|南非"},
    {"AR", "ARG", "argentina|阿根廷"},
    {"CL", "CHL", "chile|智利"},
    {"CO", "COL", "colombia|哥伦比亚"},
    {"MY", "MYS", "malaysia|马来西亚"},
    {"TH", "THA", "thailand|泰国"},
    {"VN", "VNM", "vietnam|viet nam|越南"},
    {"PH", "PHL", "philippines|菲律宾"},
    {"ID", "IDN", "indonesia|印度尼西亚|印尼"},
    {"PK", "PAK", "pakistan|巴基斯坦"},
    {"BD", "BGD", "bangladesh|孟加拉国"},
    {"NG", "NGA", "nigeria|尼日利亚"},
    {"EG", "EGY", "egypt|埃及"},
    {"SA", "SAU", "saudi arabia|沙特阿拉伯"},
    {"AE", "ARE", "united arab emirates|uae|阿联酋"},
    {"IL", "ISR", "israel|以色列"},
    {"UA", "UKR", "ukraine|乌克兰"},
    {"CZ", "CZE", "czech republic|czechia|捷克"},
    {"HU", "HUN", "hungary|匈牙利"},
    {"RO", "ROU", "romania|罗马尼亚"},
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_upper_code(std::string_view s) {
    for (char c : s)
        if (c < 'A' || c > 'Z') return false;
    return true;
}

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n";
    const std::size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// "+33", "0033", "33" written as a calling code: its main region.
std::optional<std::string> region_of_calling_code(std::string_view s) {
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    else if (s.size() > 2 && s[0] == '0' && s[1] == '0') s.remove_prefix(2);
    else return std::nullopt;  // bare digits are too ambiguous ("1", "86" could be anything)
    if (s.empty() || s.size() > 3) return std::nullopt;
    int code = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        code = code * 10 + (c - '0');
    }
    const detail::CallingCodeData* data = detail::calling_code_data(code);
    if (data != nullptr) return data->regions[0]->id;
    // Codes whose metadata does not compile still have a main region in the country table.
    for (const Country& c : kCountries)
        if (detail::region_calling_code(c.alpha2) == code) return std::string(c.alpha2);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> phone_region_of_country(std::string_view country) {
    // Lower-case alpha-3 codes and names -> alpha-2, built once (a run may ask for every record).
    static const std::unordered_map<std::string, const char*>* by_name = [] {
        auto* m = new std::unordered_map<std::string, const char*>();
        for (const Country& c : kCountries) {
            std::string a3;
            for (const char* p = c.alpha3; *p; ++p) a3.push_back(lower(*p));
            m->emplace(a3, c.alpha2);
            std::string_view names(c.names);
            for (;;) {
                const std::size_t bar = names.find('|');
                m->emplace(std::string(names.substr(0, bar)), c.alpha2);
                if (bar == std::string_view::npos) break;
                names.remove_prefix(bar + 1);
            }
        }
        return m;
    }();
    std::string_view s = trim(country);
    if (s.empty() || s.size() > 64) return std::nullopt;
    if (s[0] == '+' || s[0] == '0') return region_of_calling_code(s);
    if (s.size() == 2) {
        std::string up;
        for (char c : s) up.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
        if (!is_upper_code(up)) return std::nullopt;
        if (up == "UK") return std::string("GB");
        if (detail::region_calling_code(up) != 0) return up;
        return std::nullopt;
    }
    std::string folded;
    for (char c : s) folded.push_back(lower(c));
    const auto it = by_name->find(folded);
    if (it == by_name->end()) return std::nullopt;
    return std::string(it->second);
}

}  // namespace usermatch::normalize

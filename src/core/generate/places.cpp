// Cities, e-mail domains and phone number prefixes, most common first.
#include "core/generate/tables.hpp"

#include <cstring>
#include <iterator>

namespace usermatch::generate::detail {
namespace {

// region4 + a district suffix gives a real (or historically real) 6-digit division code, so the
// ID numbers' region prefixes look plausible to a validator.
constexpr ChineseCity kChineseCities[] = {
    {"北京", "北京", "Beijing|Peking", "1101", "01|02|05|06|07|08|09|11|12|13|14|15"},
    {"上海", "上海", "Shanghai", "3101", "01|04|05|06|07|09|10|12|13|14|15"},
    {"广州", "廣州", "Guangzhou|Canton", "4401", "03|04|05|06|11|12|13|14|15"},
    {"深圳", "深圳", "Shenzhen", "4403", "03|04|05|06|07|08"},
    {"重庆", "重慶", "Chongqing|Chungking", "5001", "01|02|03|04|05|06|07|08"},
    {"成都", "成都", "Chengdu", "5101", "04|05|06|07|08|12|13|14"},
    {"杭州", "杭州", "Hangzhou", "3301", "02|03|04|05|06|08|09|10"},
    {"武汉", "武漢", "Wuhan", "4201", "02|03|04|05|06|07|11"},
    {"西安", "西安", "Xi'an|Xian", "6101", "02|03|04|11|12|13|14"},
    {"南京", "南京", "Nanjing|Nanking", "3201", "02|04|05|06|11|13|14|15"},
    {"天津", "天津", "Tianjin|Tientsin", "1201", "01|02|03|04|05|06"},
    {"苏州", "蘇州", "Suzhou", "3205", "05|06|07|08|09"},
    {"郑州", "鄭州", "Zhengzhou", "4101", "02|03|04|05|08|22"},
    {"长沙", "長沙", "Changsha", "4301", "02|03|04|05|11"},
    {"东莞", "東莞", "Dongguan", "4419", "00"},
    {"沈阳", "瀋陽", "Shenyang", "2101", "02|03|04|05|06|11|12"},
    {"青岛", "青島", "Qingdao|Tsingtao", "3702", "02|03|11|12|13|14"},
    {"合肥", "合肥", "Hefei", "3401", "02|03|04|11"},
    {"佛山", "佛山", "Foshan", "4406", "04|05|06|07|08"},
    {"济南", "濟南", "Jinan", "3701", "02|03|04|05|12"},
    {"宁波", "寧波", "Ningbo", "3302", "03|05|06|11|12"},
    {"昆明", "昆明", "Kunming", "5301", "02|03|11|12|14"},
    {"福州", "福州", "Fuzhou", "3501", "02|03|04|05|11"},
    {"无锡", "無錫", "Wuxi", "3202", "05|06|11|13|14"},
    {"厦门", "廈門", "Xiamen|Amoy", "3502", "03|05|06|11|12|13"},
    {"哈尔滨", "哈爾濱", "Harbin|Haerbin", "2301", "02|03|04|08|09|10"},
    {"长春", "長春", "Changchun", "2201", "02|03|04|05|06"},
    {"南昌", "南昌", "Nanchang", "3601", "02|03|04|11|23"},
    {"大连", "大連", "Dalian", "2102", "02|03|04|11|12|13"},
    {"石家庄", "石家莊", "Shijiazhuang", "1301", "02|04|05|08"},
    {"太原", "太原", "Taiyuan", "1401", "05|06|07|08|09|10"},
    {"南宁", "南寧", "Nanning", "4501", "02|03|05|07|08"},
    {"贵阳", "貴陽", "Guiyang", "5201", "02|03|11|12|13"},
    {"兰州", "蘭州", "Lanzhou", "6201", "02|03|04|05|11"},
    {"乌鲁木齐", "烏魯木齊", "Urumqi|Wulumuqi", "6501", "02|03|04|05|06"},
    {"呼和浩特", "呼和浩特", "Hohhot|Huhehaote", "1501", "02|03|04|05"},
    {"海口", "海口", "Haikou", "4601", "05|06|07|08"},
    {"西宁", "西寧", "Xining", "6301", "02|03|04|05"},
    {"银川", "銀川", "Yinchuan", "6401", "04|05|06"},
    {"拉萨", "拉薩", "Lhasa|Lasa", "5401", "02"},
};

constexpr WesternCity kWesternCities[] = {
    {"London", ""}, {"New York", "New York City|NYC|New York, NY"}, {"Los Angeles", "LA|L.A."},
    {"Toronto", ""}, {"Sydney", ""}, {"Paris", ""}, {"Berlin", ""}, {"Madrid", ""},
    {"San Francisco", "SF|San Fran"}, {"Chicago", ""}, {"Vancouver", ""}, {"Melbourne", ""},
    {"München", "Munich|Muenchen"}, {"Barcelona", ""}, {"Roma", "Rome"}, {"Milano", "Milan"},
    {"Amsterdam", ""}, {"Manchester", ""}, {"Boston", ""}, {"Seattle", ""},
    {"Washington", "Washington, D.C.|Washington DC"}, {"Hamburg", ""},
    {"Wien", "Vienna"}, {"Zürich", "Zurich"}, {"Köln", "Cologne|Koeln"},
    {"Frankfurt am Main", "Frankfurt"}, {"Düsseldorf", "Dusseldorf|Duesseldorf"},
    {"Montréal", "Montreal"}, {"Lisboa", "Lisbon"}, {"São Paulo", "Sao Paulo"},
    {"Ciudad de México", "Mexico City|México D.F."}, {"Bruxelles", "Brussels|Brussel"},
    {"København", "Copenhagen"}, {"Stockholm", ""}, {"Göteborg", "Gothenburg"}, {"Oslo", ""},
    {"Helsinki", ""}, {"Dublin", ""}, {"Edinburgh", ""}, {"Birmingham", ""}, {"Lyon", "Lyons"},
    {"Marseille", "Marseilles"}, {"Genève", "Geneva|Genf"}, {"Praha", "Prague"},
    {"Kraków", "Krakow|Cracow"}, {"Warszawa", "Warsaw"}, {"Sevilla", "Seville"},
    {"Málaga", "Malaga"}, {"Firenze", "Florence"}, {"Napoli", "Naples"}, {"Den Haag", "The Hague"},
    {"Québec", "Quebec City"}, {"Buenos Aires", ""}, {"Singapore", ""}, {"Auckland", ""},
    {"Houston", ""}, {"Miami", ""}, {"Atlanta", ""}, {"Austin", ""}, {"Denver", ""},
};

constexpr Weighted kChineseDomains[] = {
    {"qq.com", 35}, {"163.com", 20}, {"126.com", 10}, {"gmail.com", 7}, {"sina.com", 5},
    {"foxmail.com", 5}, {"hotmail.com", 4}, {"outlook.com", 4}, {"139.com", 3}, {"sohu.com", 2},
    {"yeah.net", 2}, {"aliyun.com", 2}, {"icloud.com", 1},
};

constexpr Weighted kLatinDomains[] = {
    {"gmail.com", 35}, {"outlook.com", 12}, {"hotmail.com", 12}, {"yahoo.com", 12},
    {"icloud.com", 8}, {"gmx.de", 4}, {"protonmail.com", 3}, {"web.de", 3}, {"orange.fr", 3},
    {"free.fr", 2}, {"libero.it", 2}, {"hotmail.co.uk", 2}, {"qq.com", 1}, {"163.com", 1},
};

constexpr Weighted kCnMobilePrefixes[] = {
    {"138", 8}, {"139", 8}, {"136", 6}, {"135", 6}, {"137", 5}, {"134", 4}, {"133", 3},
    {"130", 3}, {"131", 3}, {"132", 3}, {"150", 4}, {"151", 4}, {"152", 3}, {"153", 2},
    {"155", 3}, {"156", 3}, {"157", 2}, {"158", 4}, {"159", 4}, {"166", 2}, {"173", 2},
    {"175", 2}, {"176", 2}, {"177", 2}, {"178", 2}, {"180", 3}, {"181", 3}, {"182", 3},
    {"183", 3}, {"185", 3}, {"186", 4}, {"187", 3}, {"188", 3}, {"189", 3}, {"191", 1},
    {"198", 1}, {"199", 1},
};

constexpr const char* kUsAreaCodes[] = {
    "212", "646", "718", "917", "347", "415", "510", "650", "408", "213", "310", "323", "818",
    "312", "773", "617", "206", "202", "305", "713", "214", "404", "512", "602", "702", "303",
    "503", "612", "215", "619",
};

constexpr const char* kEnglishNamesForChinese[] = {
    "David", "Kevin", "Jason", "Eric", "Michael", "Tony", "Jack", "Peter", "Alex", "Vincent",
    "Frank", "Steven", "Andy", "Leo", "Ryan", "Daniel", "Tom", "Sam", "Ben", "Henry", "Jenny",
    "Amy", "Lily", "Grace", "Cindy", "Vivian", "Coco", "Emma", "Linda", "Helen", "Sophie",
    "Cherry", "Angela", "Tina", "Iris", "Anna", "Lucy", "Fiona", "Irene", "Joyce", "Sunny",
    "Cathy", "Kelly", "Wendy",
};

}  // namespace

Table<ChineseCity> chinese_cities() { return {kChineseCities, std::size(kChineseCities)}; }
Table<WesternCity> western_cities() { return {kWesternCities, std::size(kWesternCities)}; }
Table<Weighted> chinese_email_domains() { return {kChineseDomains, std::size(kChineseDomains)}; }
Table<Weighted> latin_email_domains() { return {kLatinDomains, std::size(kLatinDomains)}; }
Table<Weighted> cn_mobile_prefixes() { return {kCnMobilePrefixes, std::size(kCnMobilePrefixes)}; }
Table<const char*> us_area_codes() { return {kUsAreaCodes, std::size(kUsAreaCodes)}; }
Table<const char*> english_given_names_for_chinese() {
    return {kEnglishNamesForChinese, std::size(kEnglishNamesForChinese)};
}

std::size_t part_count(const char* s) noexcept {
    if (*s == '\0') return 0;
    std::size_t n = 1;
    for (; *s; ++s)
        if (*s == '|') ++n;
    return n;
}

Part part_at(const char* s, std::size_t index) noexcept {
    for (; index > 0; --index) s = std::strchr(s, '|') + 1;
    const char* end = std::strchr(s, '|');
    return {s, end ? static_cast<std::size_t>(end - s) : std::strlen(s)};
}

std::uint32_t weight_total(Table<Weighted> table) noexcept {
    std::uint32_t total = 0;
    for (std::size_t i = 0; i < table.size; ++i) total += table[i].weight;
    return total;
}

}  // namespace usermatch::generate::detail

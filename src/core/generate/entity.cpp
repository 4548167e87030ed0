#include "core/generate/entity.hpp"

#include "core/errors.hpp"
#include "core/generate/text_edit.hpp"
#include "core/generate/user_generator.hpp"

#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <new>

namespace usermatch::generate::detail {
namespace {

constexpr std::uint64_t kStreamEntity = 1;
constexpr std::uint64_t kKindPhone = 1, kKindEmail = 2, kKindId = 3;
constexpr std::uint16_t kMaxExtraCopies = 1000;
constexpr int kMaleEnglishNames = 20;  // english_given_names_for_chinese(): 20 male, then female
// Mean number of extra copies of a person who has any (a few get 5+: 2% of them at this mean).
constexpr double kMeanCopiesWhenDuplicated = 1.6;

std::uint64_t hash_bytes(std::uint64_t kind, const char* data, std::size_t size) noexcept {
    std::uint64_t h = 0xCBF29CE484222325ull ^ (kind * 0x9E3779B97F4A7C15ull);
    for (std::size_t i = 0; i < size; ++i) h = (h ^ static_cast<unsigned char>(data[i])) * 0x100000001B3ull;
    std::uint64_t s = h;
    h = splitmix64(s);
    return h == 0 ? 1 : h;
}

const char* pick_weighted(Table<Weighted> table, Rng& rng) {
    std::uint64_t r = rng.below(weight_total(table));
    for (std::size_t i = 0; i < table.size; ++i) {
        if (r < table[i].weight) return table[i].value;
        r -= table[i].weight;
    }
    return table[table.size - 1].value;
}

std::string digits(std::uint64_t value, int width = 1) {
    std::string s = std::to_string(value);
    if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
    return s;
}

// What people append to an address: birth year, a lucky number, a few random digits.
std::string number_suffix(const Entity& e, Rng& rng) {
    switch (rng.below(6)) {
        case 0: return digits(static_cast<std::uint64_t>(e.birth.year));
        case 1: return digits(static_cast<std::uint64_t>(e.birth.year % 100), 2);
        case 2: return digits(static_cast<std::uint64_t>(e.birth.month * 100 + e.birth.day), 4);
        case 3: return e.chinese ? rng.pick({"666", "888", "520", "123", "8888", "168"}) : std::string("123");
        default: return digits(rng.below(1000));
    }
}

}  // namespace

std::string phone_digits(const Entity& e) { return std::to_string(e.phone); }

std::string id_number(const Entity& e) {
    if (e.id17 == 0) return {};
    std::string id = digits(e.id17, 17);
    id += prc_id_check_character(id);
    return id;
}

std::string pinyin_given(const Entity& e) {
    std::string s;
    for (int i = 0; i < e.given_count; ++i) s += e.given[i]->pinyin;
    return s;
}

bool HashSet64::insert(std::uint64_t h) {
    if ((used_ + 1) * 2 > capacity_) grow();
    const std::size_t mask = capacity_ - 1;
    std::uint64_t* slots = slots_.get();
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        if (slots[i] == h) return false;
        if (slots[i] == 0) {
            slots[i] = h;
            ++used_;
            return true;
        }
    }
}

void HashSet64::grow() {
    const std::size_t capacity = capacity_ == 0 ? 1024 : capacity_ * 2;
    std::unique_ptr<std::uint64_t[], Free> fresh(static_cast<std::uint64_t*>(std::calloc(capacity, sizeof(std::uint64_t))));
    if (!fresh) throw std::bad_alloc();
    const std::size_t mask = capacity - 1;
    for (std::size_t k = 0; k < capacity_; ++k) {
        if ((k & 0xFFFF) == 0xFFFF && keep_going_ && *keep_going_ && !(*keep_going_)())
            throw Error(ErrorCode::QueryCanceled, "canceling usermatch computation on request");
        const std::uint64_t h = slots_[k];
        if (h == 0) continue;
        std::size_t i = h & mask;
        while (fresh[i] != 0) i = (i + 1) & mask;
        fresh[i] = h;
    }
    slots_ = std::move(fresh);
    capacity_ = capacity;
}

std::string_view TextArena::store(std::string_view s) {
    constexpr std::size_t kBlock = 1 << 20;
    if (s.empty()) return {};
    if (used_ + s.size() > capacity_) {
        capacity_ = std::max(kBlock, s.size());
        blocks_.push_back(std::make_unique<char[]>(capacity_));
        used_ = 0;
    }
    char* out = blocks_.back().get() + used_;
    std::memcpy(out, s.data(), s.size());
    used_ += s.size();
    return {out, s.size()};
}

EntityFactory::EntityFactory(std::uint64_t seed, double duplicate_rate, double chinese_share, TextArena& texts,
                             const std::function<bool()>* keep_going)
    : seed_(seed), chinese_share_(chinese_share), taken_(keep_going), texts_(texts) {
    // Extra copies per person: with probability q at least one, then a geometric tail, so that
    // the expected share of extra copies among all records is duplicate_rate.
    const double mean_extras = duplicate_rate / (1.0 - duplicate_rate);
    double mean_when_duplicated = kMeanCopiesWhenDuplicated;
    dup_probability_ = mean_extras / mean_when_duplicated;
    if (dup_probability_ > 1.0) {
        dup_probability_ = 1.0;
        mean_when_duplicated = mean_extras;
    }
    stop_probability_ = 1.0 / mean_when_duplicated;
    for (const char* p : kPlaceholderPhones) claim(kKindPhone, p);
    for (const char* m : kPlaceholderEmails) claim(kKindEmail, m);
}

bool EntityFactory::claim(std::uint64_t kind, const std::string& value) {
    return taken_.insert(hash_bytes(kind, value.data(), value.size()));
}

bool EntityFactory::claim_number(std::uint64_t kind, std::uint64_t value) {
    const std::string s = std::to_string(value);
    return claim(kind, s);
}

Entity EntityFactory::make(std::uint32_t index) {
    Rng rng(derive_seed(seed_, kStreamEntity, index));
    Entity e;
    e.index = index;
    if (rng.chance(dup_probability_)) {
        std::uint16_t extras = 1;
        while (extras < kMaxExtraCopies && !rng.chance(stop_probability_)) ++extras;
        e.extra_copies = extras;
    }
    e.chinese = rng.chance(chinese_share_);
    e.female = rng.chance(0.5);
    if (e.chinese)
        make_chinese_name(e, rng);
    else
        make_latin_name(e, rng);

    static constexpr std::int64_t kFirstDay = -10958;  // 1940-01-01
    static constexpr std::int64_t kLastDay = 14244;    // 2008-12-31
    e.birth = civil_from_days(kFirstDay + static_cast<std::int64_t>(rng.below(kLastDay - kFirstDay + 1)));

    const bool lives_in_china = e.chinese ? rng.chance(0.96) : rng.chance(0.15);
    e.city_chinese = lives_in_china;
    e.city = static_cast<std::uint16_t>(lives_in_china ? rng.skewed(chinese_cities().size, 1.5)
                                                       : rng.skewed(western_cities().size, 1.5));
    make_phone(e, rng);
    if (e.chinese || rng.chance(0.04)) make_id(e, rng);
    e.email = texts_.store(make_email(e, rng, false));
    if (e.extra_copies > 0) e.alt_email = texts_.store(make_email(e, rng, true));
    return e;
}

void EntityFactory::make_chinese_name(Entity& e, Rng& rng) {
    const auto surnames = chinese_surnames();
    std::uint64_t r = rng.below(chinese_surname_weight_total());
    std::size_t i = 0;
    for (; i + 1 < surnames.size && r >= surnames[i].weight; ++i) r -= surnames[i].weight;
    e.surname = &surnames[i];

    const auto chars = e.female ? female_given_chars() : male_given_chars();
    if (rng.chance(0.22)) {
        e.given_count = 1;
        e.given[0] = &chars[rng.skewed(chars.size, 2.0)];
    } else if (rng.chance(0.35)) {
        const auto common = e.female ? female_common_given_names() : male_common_given_names();
        const CommonGivenName& name = common[rng.below(common.size)];
        e.given_count = 2;
        e.given[0] = &name.first;
        e.given[1] = &name.second;
    } else {
        std::size_t a = rng.skewed(chars.size, 1.5), b = rng.skewed(chars.size, 1.5);
        if (a == b) b = (b + 1) % chars.size;
        e.given_count = 2;
        e.given[0] = &chars[a];
        e.given[1] = &chars[b];
    }
    if (rng.chance(0.15)) {
        const auto english = english_given_names_for_chinese();
        e.english_name = e.female ? english[kMaleEnglishNames + rng.below(english.size - kMaleEnglishNames)]
                                  : english[rng.below(kMaleEnglishNames)];
    }
}

void EntityFactory::make_latin_name(Entity& e, Rng& rng) {
    const auto given = e.female ? latin_female_given_names() : latin_male_given_names();
    e.latin_given = &given[rng.skewed(given.size, 1.5)];
    const auto surnames = latin_surnames();
    e.latin_surname = surnames[rng.skewed(surnames.size, 1.5)];
    if (rng.chance(0.3)) e.middle_initial = "ABCDEFGHJKLMNPRSTW"[rng.below(18)];
}

void EntityFactory::make_phone(Entity& e, Rng& rng) {
    const double r = rng.unit();
    e.phone_country = e.chinese || r < 0.6 ? PhoneCountry::CN : r < 0.85 ? PhoneCountry::US : PhoneCountry::UK;
    do {
        switch (e.phone_country) {
            case PhoneCountry::CN: {
                const char* prefix = pick_weighted(cn_mobile_prefixes(), rng);
                e.phone = static_cast<std::uint64_t>(std::atoi(prefix)) * 100000000ull + rng.below(100000000ull);
                break;
            }
            case PhoneCountry::US: {
                const auto areas = us_area_codes();
                const std::uint64_t area = static_cast<std::uint64_t>(std::atoi(areas[rng.below(areas.size)]));
                std::uint64_t exchange = 200 + rng.below(800);
                if (exchange % 100 == 11) ++exchange;  // N11 codes are service numbers
                const std::uint64_t line = rng.below(10000);
                e.phone = area * 10000000ull + exchange * 10000ull + line;
                break;
            }
            case PhoneCountry::UK: {
                const std::uint64_t second_digit = static_cast<std::uint64_t>(rng.between(4, 9));
                e.phone = 7000000000ull + second_digit * 100000000ull + rng.below(100000000ull);
                break;
            }
        }
    } while (!claim_number(kKindPhone, e.phone));
}

void EntityFactory::make_id(Entity& e, Rng& rng) {
    const auto cities = chinese_cities();
    const ChineseCity& birthplace =
        e.city_chinese && rng.chance(0.6) ? cities[e.city] : cities[rng.skewed(cities.size, 1.5)];
    const Part district = part_at(birthplace.districts, rng.below(part_count(birthplace.districts)));
    const std::uint64_t region = static_cast<std::uint64_t>(std::atoi(birthplace.region4)) * 100 +
                                 static_cast<std::uint64_t>((district.data[0] - '0') * 10 + (district.data[1] - '0'));
    const std::uint64_t date = static_cast<std::uint64_t>(e.birth.year * 10000 + e.birth.month * 100 + e.birth.day);
    do {
        // The 17th digit is odd for men and even for women.
        const std::uint64_t sequence = rng.below(500) * 2 + (e.female ? 0 : 1);
        e.id17 = (region * 100000000ull + date) * 1000ull + sequence;
    } while (!claim_number(kKindId, e.id17));
}

std::string EntityFactory::make_email(const Entity& e, Rng& rng, bool alternate) {
    const char* domain = pick_weighted(e.chinese ? chinese_email_domains() : latin_email_domains(), rng);
    std::string local;
    if (e.chinese) {
        const std::string sur = e.surname->pinyin, giv = pinyin_given(e);
        std::string initials;
        for (int i = 0; i < e.given_count; ++i) initials += e.given[i]->pinyin[0];
        if (std::strcmp(domain, "qq.com") == 0 && rng.chance(alternate ? 0.7 : 0.45)) {
            // One draw per statement: the order operands of + are evaluated in is unspecified.
            local = digits(static_cast<std::uint64_t>(rng.between(1, 9)));
            local += digits(rng.below(1000000000ull), 9);
            local.resize(static_cast<std::size_t>(rng.between(6, 10)));  // QQ numbers: 6-10 digits
        } else {
            switch (rng.below(e.english_name ? 7 : 6)) {
                case 0: local = sur + giv; break;
                case 1: local = sur + "." + giv; break;
                case 2: local = giv + sur; break;
                case 3: local = initials + sur; break;
                case 4: local = sur + initials; break;
                case 5: local = sur + "_" + giv; break;
                default: local = ascii_slug(e.english_name) + "." + sur; break;
            }
            if (rng.chance(0.6)) local += number_suffix(e, rng);
        }
    } else {
        const std::string f = ascii_slug(e.latin_given->name), l = ascii_slug(e.latin_surname);
        std::string first = f;
        if (alternate && part_count(e.latin_given->nicknames) > 0 && rng.chance(0.4)) {
            const Part nick = part_at(e.latin_given->nicknames, rng.below(part_count(e.latin_given->nicknames)));
            first = ascii_slug(std::string(nick.data, nick.size));
        }
        switch (rng.below(8)) {
            case 0: local = first + "." + l; break;
            case 1: local = first + l; break;
            case 2: local = first.substr(0, 1) + l; break;
            case 3: local = first + "_" + l; break;
            case 4: local = l + "." + first; break;
            case 5: local = first.substr(0, 1) + "." + l; break;
            case 6: local = first + l.substr(0, 1); break;
            default: local = l + first.substr(0, 1); break;
        }
        if (rng.chance(0.45)) local += number_suffix(e, rng);
    }
    std::string address = local + "@" + domain;
    while (!claim(kKindEmail, address)) address = local + digits(rng.below(10000)) + "@" + domain;
    return address;
}

}  // namespace usermatch::generate::detail

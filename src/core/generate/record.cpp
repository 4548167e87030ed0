#include "core/generate/record.hpp"

#include "core/generate/names.hpp"
#include "core/generate/text_edit.hpp"
#include "core/text/utf8.hpp"

#include <algorithm>
#include <cstring>

namespace usermatch::generate::detail {
namespace {

constexpr std::uint64_t kStreamRecord = 2;

enum Field : int { kName = 0, kPhone, kEmail, kDob, kId, kCity, kFieldCount };

// Everything that decides how one record shows the person; rendered to text at the end.
struct Plan {
    bool present[kFieldCount] = {};
    bool damaged[kFieldCount] = {};
    ChineseNameForm chinese_name;
    LatinNameForm latin_name;
    std::string name_override;  // set when the name was edited as text (fold, case, typo)
    int phone_format = 0;
    std::uint64_t phone = 0;
    const char* phone_placeholder = nullptr;
    std::string email;
    bool email_placeholder = false;
    CivilDate dob{};
    int dob_format = kDateIso;
    const char* dob_placeholder = nullptr;
    std::string id;
    std::string city;
};

// At most `limit` fields of a copy get damaged (typo, wrong or missing value).
struct DamageBudget {
    int used = 0, limit = 2;
    bool available() const { return used < limit; }
};

int pick_date_format(const Entity& e, Rng& rng) {
    const auto r = rng.below(100);
    if (e.chinese) {
        if (r < 70) return kDateIso;
        if (r < 80) return kDateCompact;
        if (r < 88) return kDateChinese;
        if (r < 95) return kDateYearSlash;
        return kDateDayMonthYear;
    }
    if (r < 55) return kDateIso;
    if (r < 70) return kDateDayMonthYear;
    if (r < 80) return kDateMonthNameDay;
    if (r < 87) return kDateDayMonthName;
    if (r < 92) return kDateDotted;
    if (r < 97) return kDateCompact;
    return kDateYearSlash;
}

std::string render_city(const Entity& e, int variant, Rng& rng) {
    if (e.city_chinese) {
        const ChineseCity& c = chinese_cities()[e.city];
        const Part canonical = part_at(c.pinyin, 0);
        const std::string pinyin(canonical.data, canonical.size);
        switch (variant) {
            case 1: return std::string(c.han) + "市";
            case 2: return c.traditional;
            case 3: return pinyin;
            case 4: return latin_upper(pinyin);
            case 5: return latin_lower(pinyin);
            case 6: {
                const std::size_t n = part_count(c.pinyin);
                const Part p = part_at(c.pinyin, n > 1 ? 1 + rng.below(n - 1) : 0);
                return std::string(p.data, p.size);
            }
            default: return c.han;
        }
    }
    const WesternCity& c = western_cities()[e.city];
    const std::size_t n = part_count(c.variants);
    switch (variant) {
        case 1:
            if (n > 0) {
                const Part p = part_at(c.variants, rng.below(n));
                return std::string(p.data, p.size);
            }
            return c.name;
        case 2: return fold_diacritics(c.name);
        case 3: return latin_upper(c.name);
        default: return c.name;
    }
}

int original_city_variant(const Entity& e, Rng& rng) {
    if (!e.city_chinese) return rng.chance(0.15) ? 1 : 0;
    if (!e.chinese) return 3;  // a foreigner living in China writes the city in pinyin
    const auto r = rng.below(100);
    return r < 78 ? 0 : r < 85 ? 1 : 3;
}

int variant_city_variant(const Entity& e, Rng& rng) {
    return static_cast<int>(rng.below(e.city_chinese ? 7 : 4));
}

Plan original_plan(const Entity& e, Rng& rng) {
    Plan p;
    p.present[kName] = !rng.chance(0.003);
    if (e.chinese)
        p.chinese_name = original_chinese_form(e, rng);
    else
        p.latin_name = original_latin_form(e, rng);

    p.present[kPhone] = !rng.chance(0.05);
    p.phone = e.phone;
    p.phone_format = rng.chance(0.6) ? 0 : static_cast<int>(rng.below(kPhoneFormatCount));
    if (rng.chance(0.002)) p.phone_placeholder = rng.pick(kPlaceholderPhones);

    p.present[kEmail] = !rng.chance(0.10);
    p.email = e.email;
    if (rng.chance(0.002)) p.email = rng.pick(kPlaceholderEmails), p.email_placeholder = true;

    p.present[kDob] = !rng.chance(0.05);
    p.dob = e.birth;
    p.dob_format = pick_date_format(e, rng);
    if (rng.chance(0.001)) p.dob_placeholder = rng.pick(kPlaceholderBirthDates);

    p.present[kId] = e.id17 != 0 && !rng.chance(0.12);
    p.id = id_number(e);

    p.present[kCity] = !rng.chance(0.10);
    p.city = render_city(e, original_city_variant(e, rng), rng);

    if (std::count(std::begin(p.present), std::end(p.present), true) < 2) {
        p.present[kName] = true;
        p.present[kPhone] = true;
    }
    return p;
}

void vary_name(const Entity& e, Plan& p, Rng& rng, double c, DamageBudget& budget) {
    if (!p.present[kName]) {
        p.present[kName] = rng.chance(std::min(1.0, 0.6 * c));
        return;
    }
    bool damaged = false;
    std::string text;
    if (e.chinese) {
        ChineseNameForm& form = p.chinese_name;
        if (rng.chance(0.30 * c)) restyle_chinese_form(e, form, rng);
        const bool han = form.style == kNameHan || form.style == kNameTraditional || form.style == kNameHanSpaced;
        if (han && budget.available() && rng.chance(0.05 * c)) damaged = swap_in_homophone(e, form, rng);
        text = render_chinese_name(e, form);
        if (!han && budget.available() && rng.chance(0.04 * c)) text = with_typo(text, rng), damaged = true;
    } else {
        LatinNameForm& form = p.latin_name;
        const std::size_t nicknames = part_count(e.latin_given->nicknames);
        if (nicknames > 0 && rng.chance(0.12 * c)) {
            const Part nick = part_at(e.latin_given->nicknames, rng.below(nicknames));
            form.given.assign(nick.data, nick.size);
        } else if (rng.chance(0.03 * c)) {
            const std::string& g = form.given;
            const std::size_t len = (static_cast<unsigned char>(g[0]) < 0x80) ? 1 : (static_cast<unsigned char>(g[0]) < 0xE0 ? 2 : 3);
            form.given = g.substr(0, len) + ".";
        }
        if (e.middle_initial && rng.chance(0.06 * c)) form.middle_initial = !form.middle_initial;
        if (rng.chance(0.08 * c)) form.layout = static_cast<int>(1 + rng.below(3));
        text = render_latin_name(e, form);
        if (!usermatch::text::is_ascii(text) && rng.chance(0.5 * c)) {
            const bool umlaut = text.find("ä") != std::string::npos || text.find("ö") != std::string::npos ||
                                text.find("ü") != std::string::npos;
            text = fold_diacritics(text, umlaut && rng.chance(0.3));
        }
        if (rng.chance(0.05 * c))
            text = latin_upper(text);
        else if (rng.chance(0.03 * c))
            text = latin_lower(text);
        if (budget.available() && rng.chance(0.07 * c)) text = with_typo(text, rng), damaged = true;
    }
    p.name_override = text;
    if (!damaged && budget.available() && rng.chance(0.01 * c)) p.present[kName] = false, damaged = true;
    if (damaged) p.damaged[kName] = true, ++budget.used;
}

void vary_phone(const Entity& e, Plan& p, Rng& rng, double c, DamageBudget& budget) {
    if (!p.present[kPhone]) {
        if (rng.chance(std::min(1.0, 0.6 * c))) {
            p.present[kPhone] = true;
            p.phone_placeholder = nullptr;
            p.phone_format = static_cast<int>(rng.below(kPhoneFormatCount));
        }
        return;
    }
    if (budget.available() && rng.chance(0.06 * c)) {
        p.present[kPhone] = false;
    } else {
        if (rng.chance(0.4 * c)) p.phone_format = static_cast<int>(rng.below(kPhoneFormatCount));
        if (!p.phone_placeholder && budget.available() && rng.chance(0.04 * c)) {
            std::string digits = std::to_string(p.phone);
            const std::size_t first = e.phone_country == PhoneCountry::UK ? 1 : 3;
            const std::size_t pos = first + rng.below(digits.size() - first);
            digits[pos] = static_cast<char>('0' + (digits[pos] - '0' + 1 + static_cast<int>(rng.below(9))) % 10);
            p.phone = std::stoull(digits);
        } else if (budget.available() && rng.chance(0.002 * c)) {
            p.phone_placeholder = rng.pick(kPlaceholderPhones);
        } else {
            return;
        }
    }
    p.damaged[kPhone] = true, ++budget.used;
}

std::string gmail_variant(const std::string& address, Rng& rng) {
    const std::size_t at = address.find('@');
    std::string local = address.substr(0, at);
    switch (rng.below(3)) {
        case 0: {  // Gmail ignores dots in the local part
            const std::size_t dot = local.find('.');
            if (dot != std::string::npos)
                local.erase(dot, 1);
            else if (local.size() > 2)
                local.insert(1 + rng.below(local.size() - 1), ".");
            return local + "@gmail.com";
        }
        case 1: return local + "+" + rng.pick({"shop", "news", "work", "spam", "2020", "bank"}) + "@gmail.com";
        default: return local + "@googlemail.com";
    }
}

std::string case_variant(const std::string& address, Rng& rng) {
    if (rng.chance(0.3)) return latin_upper(address);
    std::string s = address;
    bool start = true;
    for (char& ch : s) {  // John.Smith@Gmail.com
        if (start && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
        start = ch == '.' || ch == '@' || ch == '_';
    }
    return s;
}

std::string email_typo(const std::string& address, Rng& rng) {
    static constexpr const char* kDomainTypos[][2] = {{"@gmail.com", "@gmial.com"}, {"@gmail.com", "@gmail.con"},
                                                      {"@hotmail.com", "@hotmial.com"}, {"@163.com", "@136.com"},
                                                      {"@qq.com", "@qq.con"}, {"@outlook.com", "@outlok.com"},
                                                      {"@yahoo.com", "@yaho.com"}, {"@126.com", "@162.com"}};
    for (const auto& t : kDomainTypos) {
        const std::size_t pos = address.find(t[0]);
        if (pos != std::string::npos && rng.chance(0.6)) return address.substr(0, pos) + t[1];
    }
    const std::size_t at = address.find('@');
    return with_typo(address.substr(0, at), rng) + address.substr(at);
}

void vary_email(const Entity& e, Plan& p, Rng& rng, double c, DamageBudget& budget) {
    if (!p.present[kEmail]) {
        if (rng.chance(std::min(1.0, 0.6 * c))) p.present[kEmail] = true, p.email = e.email, p.email_placeholder = false;
        return;
    }
    if (budget.available() && rng.chance(0.08 * c)) {
        p.present[kEmail] = false;
    } else if (budget.available() && !e.alt_email.empty() && rng.chance(0.05 * c)) {
        p.email = e.alt_email;
    } else if (budget.available() && rng.chance(0.002 * c)) {
        p.email = rng.pick(kPlaceholderEmails), p.email_placeholder = true;
    } else {
        if (p.email.size() > 10 && p.email.compare(p.email.size() - 10, 10, "@gmail.com") == 0 && rng.chance(0.3 * c))
            p.email = gmail_variant(p.email, rng);
        if (rng.chance(0.06 * c)) p.email = case_variant(p.email, rng);
        if (!(budget.available() && rng.chance(0.02 * c))) return;
        p.email = email_typo(p.email, rng);
    }
    p.damaged[kEmail] = true, ++budget.used;
}

void vary_dob(const Entity& e, Plan& p, Rng& rng, double c, DamageBudget& budget) {
    if (!p.present[kDob]) {
        if (rng.chance(std::min(1.0, 0.6 * c)))
            p.present[kDob] = true, p.dob_placeholder = nullptr, p.dob_format = pick_date_format(e, rng);
        return;
    }
    if (p.dob_placeholder) return;
    if (budget.available() && rng.chance(0.06 * c)) {
        p.present[kDob] = false;
    } else {
        if (rng.chance(0.35 * c)) p.dob_format = pick_date_format(e, rng);
        CivilDate& d = p.dob;
        if (d.day <= 12 && d.day != d.month && budget.available() && rng.chance(0.03 * c)) {
            std::swap(d.day, d.month);  // read as MM/DD instead of DD/MM
        } else if (budget.available() && rng.chance(0.03 * c)) {
            const int delta = rng.chance(0.5) ? 1 : -1;
            switch (rng.below(3)) {
                case 0: d.day = d.day == 1 ? 2 : d.day == days_in_month(d.year, d.month) ? d.day - 1 : d.day + delta; break;
                case 1: d.month = d.month == 1 ? 2 : d.month == 12 ? 11 : d.month + delta; break;
                default: d.year += delta; break;
            }
            d.day = std::min(d.day, days_in_month(d.year, d.month));
        } else if (budget.available() && rng.chance(0.001 * c)) {
            p.dob_placeholder = rng.pick(kPlaceholderBirthDates);
        } else {
            return;
        }
    }
    p.damaged[kDob] = true, ++budget.used;
}

void vary_id(const Entity& e, Plan& p, Rng& rng, double c, DamageBudget& budget) {
    if (e.id17 == 0) return;
    if (!p.present[kId]) {
        p.present[kId] = rng.chance(std::min(1.0, 0.6 * c));
        return;
    }
    if (budget.available() && rng.chance(0.08 * c)) {
        p.present[kId] = false;
    } else if (budget.available() && rng.chance(0.03 * c)) {
        // One wrong digit among the first 17: MOD 11-2 always detects it.
        const std::size_t pos = rng.below(17);
        p.id[pos] = static_cast<char>('0' + (p.id[pos] - '0' + 1 + static_cast<int>(rng.below(9))) % 10);
    } else {
        if (p.id.back() == 'X' && rng.chance(0.5 * c)) p.id.back() = 'x';
        return;
    }
    p.damaged[kId] = true, ++budget.used;
}

void vary_city(const Entity& e, Plan& p, Rng& rng, double c, DamageBudget& budget) {
    if (!p.present[kCity]) {
        if (rng.chance(std::min(1.0, 0.5 * c))) p.present[kCity] = true, p.city = render_city(e, 0, rng);
        return;
    }
    if (budget.available() && rng.chance(0.12 * c)) {
        p.present[kCity] = false;
    } else if (budget.available() && rng.chance(0.03 * c)) {
        Entity moved = e;  // the person moved: another city of the same country
        const std::size_t n = e.city_chinese ? chinese_cities().size : western_cities().size;
        moved.city = static_cast<std::uint16_t>((e.city + 1 + rng.below(n - 1)) % n);
        p.city = render_city(moved, 0, rng);
    } else {
        if (rng.chance(0.25 * c)) p.city = render_city(e, variant_city_variant(e, rng), rng);
        return;
    }
    p.damaged[kCity] = true, ++budget.used;
}

bool strong_key_intact(const Plan& original, const Plan& copy, int f) {
    if (!original.present[f] || !copy.present[f] || copy.damaged[f]) return false;
    if (f == kPhone) return !original.phone_placeholder && !copy.phone_placeholder;
    if (f == kEmail) return !original.email_placeholder && !copy.email_placeholder;
    if (f == kDob) return !original.dob_placeholder && !copy.dob_placeholder;
    return f == kId;
}

void restore_field(const Plan& original, Plan& copy, int f) {
    copy.present[f] = true;
    copy.damaged[f] = false;
    switch (f) {
        case kName: copy.chinese_name = original.chinese_name, copy.latin_name = original.latin_name, copy.name_override.clear(); break;
        case kPhone: copy.phone = original.phone, copy.phone_placeholder = original.phone_placeholder; break;
        case kEmail: copy.email = original.email, copy.email_placeholder = original.email_placeholder; break;
        case kDob: copy.dob = original.dob, copy.dob_placeholder = original.dob_placeholder; break;
        case kId: copy.id = original.id; break;
        default: copy.city = original.city; break;
    }
}

// A copy keeps what a careful human needs to match it: one strong key of the original intact
// (when the original has one) and at least two fields.
void keep_evidence(const Plan& original, Plan& copy) {
    static constexpr int kStrong[] = {kPhone, kEmail, kId, kDob};
    bool original_has_strong = false, copy_has_strong = false;
    for (int f : kStrong) {
        original_has_strong |= strong_key_intact(original, original, f);
        copy_has_strong |= strong_key_intact(original, copy, f);
    }
    if (original_has_strong && !copy_has_strong)
        for (int f : kStrong)
            if (strong_key_intact(original, original, f)) {
                restore_field(original, copy, f);
                break;
            }
    for (int f = 0; f < kFieldCount && std::count(std::begin(copy.present), std::end(copy.present), true) < 2; ++f)
        if (original.present[f] && !copy.present[f]) restore_field(original, copy, f);
}

RecordFields render(const Entity& e, const Plan& p) {
    RecordFields out;
    if (p.present[kName])
        out.full_name = !p.name_override.empty() ? p.name_override
                         : e.chinese             ? render_chinese_name(e, p.chinese_name)
                                                 : render_latin_name(e, p.latin_name);
    if (p.present[kPhone])
        out.phone = p.phone_placeholder ? std::string(p.phone_placeholder)
                                        : format_phone(e.phone_country, std::to_string(p.phone), p.phone_format);
    if (p.present[kEmail]) out.email = p.email;
    if (p.present[kDob]) out.birth_date = p.dob_placeholder ? std::string(p.dob_placeholder) : format_date(p.dob, p.dob_format);
    if (p.present[kId]) out.id_number = p.id;
    if (p.present[kCity]) out.city = p.city;
    return out;
}

}  // namespace

RecordFields render_record(const Entity& e, std::uint32_t copy, std::uint64_t seed, double corruption) {
    Rng original_rng(derive_seed(seed, kStreamRecord, static_cast<std::uint64_t>(e.index) << 16));
    const Plan original = original_plan(e, original_rng);
    if (copy == 0) return render(e, original);

    Rng rng(derive_seed(seed, kStreamRecord, (static_cast<std::uint64_t>(e.index) << 16) | copy));
    Plan p = original;
    DamageBudget budget;
    budget.limit = corruption <= 1.0 ? 2 : corruption <= 2.5 ? 3 : 4;
    using Vary = void (*)(const Entity&, Plan&, Rng&, double, DamageBudget&);
    Vary steps[kFieldCount] = {vary_name, vary_phone, vary_email, vary_dob, vary_id, vary_city};
    for (int i = kFieldCount - 1; i > 0; --i) std::swap(steps[i], steps[rng.below(static_cast<std::uint64_t>(i) + 1)]);
    for (Vary step : steps) step(e, p, rng, corruption, budget);
    keep_evidence(original, p);
    return render(e, p);
}

}  // namespace usermatch::generate::detail

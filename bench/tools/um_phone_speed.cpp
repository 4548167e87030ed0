// um_phone_speed: phones per second of normalize_phone on mixed-country data, with libphonenumber
// alone as the baseline in the same run.
//
//   um_phone_speed [--phones N] [--distinct-share S] [--seed K]
//
// Data: N phones of 11 countries (CN 30%, US 15%, GB, FR, DE, IN 8% each, JP, BR 5%, AU, ES, IT 4%),
// mobiles and landlines from libphonenumber's example numbers with random digits, written as
// people do: national format with the trunk prefix (0...), with +cc, with 00cc, with spaces,
// dashes, dots and parentheses; a share S of the values are distinct, the rest repeat earlier
// values (one person's phone in several records). Read as a phone field with
// "region": "CN", "regions": ["FR", "GB", "US", "DE"], and once more with a per-record region.
//
// Figures (single thread, CPU time of the thread, one pass, cold caches):
//   baseline      the same rules with libphonenumber only: ParseAndKeepRawInput + IsPossibleNumber
//                 + IsValidNumber per region tried (what normalize_phone would cost without its
//                 fast path and cache)
//   fast path     detail::phone_fast_parse + the rules, no cache (falls back to libphonenumber)
//   normalize     normalize_phone as the record store calls it: fast path + per-thread cache
//   record store  RecordStore::append_batch (1 worker) of a phone field with region, regions and
//                 region_column (countries written as codes, names, alpha-3, junk): everything a
//                 run does per phone, on the process's CPU time
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/normalize/normalize.hpp"
#include "core/normalize/phone_fast_path.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace pn = i18n::phonenumbers;
using usermatch::normalize::detail::PhoneParse;

namespace {

struct Country {
    const char* region;
    int weight;
};
const Country kCountries[] = {{"CN", 30}, {"US", 15}, {"GB", 8}, {"FR", 8}, {"DE", 8}, {"IN", 8},
                              {"JP", 5},  {"BR", 5},  {"AU", 4}, {"ES", 4}, {"IT", 4}};

std::string make_phone(const char* region, std::mt19937& rng) {
    const auto* util = pn::PhoneNumberUtil::GetInstance();
    pn::PhoneNumber example;
    util->GetExampleNumberForType(region, rng() % 3 ? pn::PhoneNumberUtil::MOBILE : pn::PhoneNumberUtil::FIXED_LINE,
                                  &example);
    std::string nsn;
    util->GetNationalSignificantNumber(example, &nsn);
    for (std::size_t k = std::min<std::size_t>(4, nsn.size()); k < nsn.size(); ++k)
        nsn[k] = static_cast<char>('0' + rng() % 10);
    std::string ndd;
    util->GetNddPrefixForRegion(region, true, &ndd);
    const int code = util->GetCountryCodeForRegion(region);
    const char sep = " -. "[rng() % 4];
    std::string body;
    for (std::size_t k = 0; k < nsn.size(); ++k) {
        if (k > 0 && k % (2 + rng() % 3) == 0 && rng() % 2) body.push_back(sep);
        body.push_back(nsn[k]);
    }
    switch (rng() % 10) {
    case 0: case 1: case 2: case 3: case 4: return ndd + body;  // national
    case 5: return "(" + ndd + nsn.substr(0, 3) + ") " + nsn.substr(3);
    case 6: case 7: return "+" + std::to_string(code) + " " + body;
    case 8: return "+" + std::to_string(code) + nsn;
    default: return "00" + std::to_string(code) + " " + body;
    }
}

// The rules of normalize_phone with libphonenumber only.
std::optional<std::string> baseline(const std::string& text, const std::vector<std::string>& regions) {
    const auto* util = pn::PhoneNumberUtil::GetInstance();
    for (const std::string& region : regions) {
        pn::PhoneNumber n;
        if (util->ParseAndKeepRawInput(text, region, &n) != pn::PhoneNumberUtil::NO_PARSING_ERROR) continue;
        const bool intl = n.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_PLUS_SIGN ||
                          n.country_code_source() == pn::PhoneNumber::FROM_NUMBER_WITH_IDD;
        if (intl ? util->IsPossibleNumber(n) : util->IsValidNumber(n)) {
            std::string e164;
            util->Format(n, pn::PhoneNumberUtil::E164, &e164);
            return e164;
        }
    }
    return std::nullopt;  // (national form omitted: the same cost in every variant)
}

std::size_t g_fallbacks = 0, g_parses = 0;

std::optional<std::string> fast_no_cache(const std::string& text, const std::vector<std::string>& regions) {
    for (const std::string& region : regions) {
        PhoneParse p = usermatch::normalize::detail::phone_fast_parse(text, region);
        ++g_parses;
        if (p.status == PhoneParse::Status::Unknown) {
            ++g_fallbacks;
            if (auto e = baseline(text, {region})) return e;
            continue;
        }
        if (p.status == PhoneParse::Status::Parsed && (p.international ? p.possible : p.valid))
            return "+" + std::to_string(p.calling_code) + p.nsn;
    }
    return std::nullopt;
}

// CPU time of this thread: the figure per core, unaffected by other load on a shared machine.
double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename Fn>
double phones_per_second(const std::vector<std::string>& phones, const std::vector<std::string>& countries, bool per_record,
                         std::size_t& accepted, Fn&& fn) {
    std::vector<std::string> regions = {"CN", "FR", "GB", "US", "DE"};
    accepted = 0;
    const double start = cpu_seconds();
    for (std::size_t i = 0; i < phones.size(); ++i) {
        if (per_record) {
            regions.assign({countries[i], "CN", "FR", "GB", "US", "DE"});
        }
        const auto r = fn(phones[i], regions);
        if (r && (*r)[0] == '+') ++accepted;
    }
    return static_cast<double>(phones.size()) / (cpu_seconds() - start);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = 200000;
    double distinct_share = 0.7;
    unsigned seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--phones")) n = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--distinct-share")) distinct_share = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seed")) seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
        else {
            std::fprintf(stderr, "usage: um_phone_speed [--phones N] [--distinct-share S] [--seed K]\n");
            return 2;
        }
    }
    std::mt19937 rng(seed);
    int total_weight = 0;
    for (const auto& c : kCountries) total_weight += c.weight;
    std::vector<std::string> phones, countries;
    for (std::size_t i = 0; i < n; ++i) {
        if (!phones.empty() && std::uniform_real_distribution<double>(0, 1)(rng) > distinct_share) {
            const std::size_t j = rng() % phones.size();
            phones.push_back(phones[j]);
            countries.push_back(countries[j]);
            continue;
        }
        int w = static_cast<int>(rng() % static_cast<unsigned>(total_weight));
        const Country* c = kCountries;
        while (w >= c->weight) w -= (c++)->weight;
        phones.push_back(make_phone(c->region, rng));
        countries.push_back(c->region);
    }
    usermatch::normalize::normalize_phone("0", "CN");  // metadata loaded before timing
    for (const auto& c : kCountries) usermatch::normalize::normalize_phone("+1", c.region);
    std::size_t acc_base = 0, acc_fast = 0, acc_norm = 0, acc_rec_base = 0, acc_rec_norm = 0;
    // Baseline on a slice (it is slow); rates are per phone either way.
    const std::size_t slice = std::min<std::size_t>(phones.size(), 40000);
    const std::vector<std::string> head(phones.begin(), phones.begin() + static_cast<long>(slice));
    const std::vector<std::string> head_c(countries.begin(), countries.begin() + static_cast<long>(slice));
    const double base = phones_per_second(head, head_c, false, acc_base, baseline);
    const double fast = phones_per_second(head, head_c, false, acc_fast, fast_no_cache);
    const double norm = phones_per_second(phones, countries, false, acc_norm, [](const std::string& t, const std::vector<std::string>& r) {
        return usermatch::normalize::normalize_phone(t, r);
    });
    const double rec_base = phones_per_second(head, head_c, true, acc_rec_base, baseline);
    const double rec_norm = phones_per_second(phones, countries, true, acc_rec_norm, [](const std::string& t, const std::vector<std::string>& r) {
        return usermatch::normalize::normalize_phone(t, r);
    });
    std::printf("%zu phones (%.0f%% distinct), 11 countries, single thread\n", phones.size(), distinct_share * 100);
    std::printf("regions [CN FR GB US DE]:\n");
    std::printf("  libphonenumber only  %10.0f phones/s  (%zu of %zu E.164)\n", base, acc_base, head.size());
    std::printf("  fast path, no cache  %10.0f phones/s  (%zu of %zu E.164)  %.1fx; %zu of %zu parses left to libphonenumber\n", fast, acc_fast,
                head.size(), fast / base, g_fallbacks, g_parses);
    std::printf("  normalize_phone      %10.0f phones/s  (%zu of %zu E.164)  %.1fx\n", norm, acc_norm, phones.size(), norm / base);
    std::printf("per-record region first, then [CN FR GB US DE]:\n");
    std::printf("  libphonenumber only  %10.0f phones/s  (%zu of %zu E.164)\n", rec_base, acc_rec_base, head.size());
    std::printf("  normalize_phone      %10.0f phones/s  (%zu of %zu E.164)  %.1fx\n", rec_norm, acc_rec_norm, phones.size(), rec_norm / rec_base);

    // The record store as a run fills it: a phone field with region, regions and region_column,
    // the country written as code, alpha-3, name or calling code (or junk), 1 worker thread.
    const auto profile = usermatch::engine::parse_profile(R"({"id": "id", "fields": [{"name": "phone",
        "column": "phone", "type": "phone", "region": "CN", "regions": ["FR", "GB", "US", "DE"],
        "region_column": "country"}], "blocking": [["phone.national_number"]]})");
    std::vector<std::string> ids(phones.size()), written(phones.size());
    std::vector<std::string_view> id_views;
    std::vector<usermatch::engine::RawValue> values;
    for (std::size_t i = 0; i < phones.size(); ++i) {
        ids[i] = "r" + std::to_string(i);
        const std::string& c = countries[i];
        switch (i % 5) {
        case 0: written[i] = c; break;
        case 1: written[i] = c == "GB" ? "United Kingdom" : c == "US" ? "USA" : c == "CN" ? "中国" : c; break;
        case 2: written[i] = c == "FR" ? "France" : c == "DE" ? "Germany" : c; break;
        case 3: written[i] = "n/a"; break;
        default: written[i] = c == "FR" ? "FRA" : c == "IN" ? "IND" : c; break;
        }
        id_views.push_back(ids[i]);
        values.push_back(std::string_view(phones[i]));
        values.push_back(std::string_view(written[i]));
    }
    usermatch::engine::RecordStore store(profile);
    timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    store.append_batch(id_views, values, 1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    const double cpu = static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-9;
    std::printf("record store (phone field with region_column, process CPU time):\n");
    std::printf("  append_batch         %10.0f records/s\n", static_cast<double>(phones.size()) / cpu);
    return 0;
}

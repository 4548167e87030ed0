// um_phone_timing: average cost of normalize_phone over the phones of generated users.
//
//   um_phone_timing [--rows N] [--region CN] [--repeat K]
//
// Prints ns/call over all non-NULL phones (K passes, first pass included so per-thread caches
// start cold) and how many distinct results were produced (a checksum of the work).
#include "core/generate/user_generator.hpp"
#include "core/normalize/normalize.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::size_t rows = 200000;
    int repeat = 1;
    const char* region = "CN";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--rows")) rows = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--region")) region = argv[i + 1];
        else if (!std::strcmp(argv[i], "--repeat")) repeat = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: um_phone_timing [--rows N] [--region CN] [--repeat K]\n");
            return 2;
        }
    }
    usermatch::generate::GeneratorOptions options;
    std::vector<std::string> phones;
    for (const auto& user : usermatch::generate::generate_users(rows, options))
        if (user.phone) phones.push_back(*user.phone);
    std::size_t answered = 0, checksum = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat; ++r)
        for (const auto& phone : phones) {
            const auto e164 = usermatch::normalize::normalize_phone(phone, region);
            if (e164) ++answered, checksum += e164->size() + static_cast<unsigned char>(e164->back());
        }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double calls = static_cast<double>(phones.size()) * repeat;
    std::printf("normalize_phone region %s: %zu phones x %d: %.3f us/call, %zu possible, checksum %zu\n", region,
                phones.size(), repeat, seconds * 1e6 / calls, answered, checksum);
    return 0;
}

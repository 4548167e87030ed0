// libFuzzer entry: one binary per target, chosen at compile time with -DUSERMATCH_FUZZ_TARGET=fuzz_<name>.
#include "fuzz_targets.hpp"

#ifndef USERMATCH_FUZZ_TARGET
#error "compile with -DUSERMATCH_FUZZ_TARGET=fuzz_<name>"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return usermatch::fuzz::USERMATCH_FUZZ_TARGET(data, size);
}

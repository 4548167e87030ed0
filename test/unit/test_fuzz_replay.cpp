// Replays every seed (test/fuzz/corpus/<target>/) and every kept crash input
// (test/fuzz/regressions/<target>/) through the fuzz entry points, in the normal g++ build: a fixed
// crash stays fixed without clang or libFuzzer. A violated property aborts (fuzz_fail), which fails
// the test; so does a sanitizer report in the ASan + UBSan layer.
#include "fuzz_targets.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

namespace usermatch::fuzz {
// Test names and messages show the target's name, not its bytes.
void PrintTo(const FuzzTarget& target, std::ostream* os) { *os << target.name; }
}  // namespace usermatch::fuzz

namespace fs = std::filesystem;
using usermatch::fuzz::FuzzTarget;

namespace {

std::vector<fs::path> inputs_of(const std::string& target) {
    std::vector<fs::path> out;
    for (const char* dir : {"corpus", "regressions"}) {
        const fs::path d = fs::path(USERMATCH_FUZZ_DIR) / dir / target;
        if (!fs::is_directory(d)) continue;
        for (const auto& entry : fs::directory_iterator(d))
            if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

class FuzzReplay : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplay, SeedsAndRegressions) {
    const FuzzTarget target = GetParam();
    const auto files = inputs_of(target.name);
    // Every target has seeds: an empty list means the directory moved, not that all is well.
    ASSERT_FALSE(files.empty()) << "no inputs under " << USERMATCH_FUZZ_DIR << "/corpus/" << target.name;
    for (const fs::path& file : files) {
        SCOPED_TRACE(file.string());
        std::ifstream in(file, std::ios::binary);
        ASSERT_TRUE(in) << "cannot read " << file;
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(target.function(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
    }
    // The empty input, always.
    EXPECT_EQ(target.function(nullptr, 0), 0);
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzReplay,
                         ::testing::ValuesIn(usermatch::fuzz::kFuzzTargets,
                                             usermatch::fuzz::kFuzzTargets + usermatch::fuzz::kFuzzTargetCount),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) { return std::string(info.param.name); });

}  // namespace

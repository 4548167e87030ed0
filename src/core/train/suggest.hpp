// Zero-configuration profile: recognises field types from column names and sampled values, picks
// the id column, and chooses blocking rules from measured key cardinalities. See suggest.cpp for
// the heuristics.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace usermatch::train {

struct ColumnSample {
    std::string name;
    std::string type_name;            // PostgreSQL type name: "text", "date", "bigint", ...
    std::vector<std::string> values;  // sampled non-NULL values (e.g. up to 2,000), as text
    double null_share = 0;            // NULL share in the sample
    double distinct_share = 0;        // distinct values / non-NULL values in the sample
    std::size_t rows = 0;             // rows in the table (0 = unknown: the sample size is used)
};

struct SuggestOptions {
    std::size_t max_block_size = 5000;
    double pairs_per_record = 50;     // candidate pair budget = pairs_per_record x rows
    bool link = false;                // two tables: pairs = left x right per block (budget on the larger)
    std::function<bool()> keep_going; // polled every few ms (may be empty); false -> Error(QueryCanceled)
};

struct Suggestion {
    std::string profile_json;         // accepted by engine::parse_profile
    std::string explanation;          // one line per decision (type of each column, rules and their estimates)
};

Suggestion suggest_profile(const std::vector<ColumnSample>& columns, const SuggestOptions& options = {});

}  // namespace usermatch::train

#include "core/train/suggest.hpp"

#include "core/errors.hpp"

namespace usermatch::train {

Suggestion suggest_profile(const std::vector<ColumnSample>&, const SuggestOptions&) {
    throw Error(ErrorCode::Internal, "suggest_profile: not written yet");
}

}  // namespace usermatch::train

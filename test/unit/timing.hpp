// Time bounds in unit tests assert complexity (linear vs quadratic: seconds vs minutes), not speed.
// The sanitizer build (Debug, ASan + UBSan) runs 10-30x slower, so bounds are scaled by this.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
constexpr double kTimingSlack = 30.0;
#else
constexpr double kTimingSlack = 1.0;
#endif

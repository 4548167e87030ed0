#include "core/train/pair_levels.hpp"

#include "core/engine/blocking.hpp"
#include "core/engine/comparison.hpp"
#include "core/engine/hash.hpp"

#include <algorithm>
#include <random>

namespace usermatch::train {

using engine::CandidatePair;
using engine::Profile;
using engine::RecordStore;

namespace {

constexpr std::size_t kSlices = 16;            // fixed work split: results do not depend on thread count
constexpr std::size_t kChunkPairs = 1u << 19;  // candidate pairs per round
constexpr std::uint64_t kSampleBlock = 1u << 16;

void levels_of(const Profile& p, const RecordStore& L, std::size_t a, const RecordStore& R, std::size_t b,
               std::int8_t* out) {
    for (std::size_t f = 0; f < p.fields.size(); ++f)
        out[f] = static_cast<std::int8_t>(engine::compare_field(p.fields[f], f, L, a, R, b));
}

}  // namespace

bool held_back_pair(std::uint32_t left, std::uint32_t right) {
    return engine::mix64((static_cast<std::uint64_t>(left) << 32) ^ right ^ 0x5bd1e995u) % 5 == 0;
}

ComparisonVectors candidate_vectors(const Profile& profile, const RecordStore& left, const RecordStore* right,
                                    engine::TaskRunner& runner, HeldBack held, ComparisonVectors* held_back) {
    const std::size_t nf = profile.fields.size();
    const RecordStore& R = right ? *right : left;
    if (held == HeldBack::Split && !held_back) held = HeldBack::Exclude;
    ComparisonVectors total(nf);
    engine::CandidateGenerator gen(profile, left, right, runner);
    std::vector<CandidatePair> chunk;
    std::vector<ComparisonVectors> parts(kSlices, ComparisonVectors(nf)), held_parts(kSlices, ComparisonVectors(nf));
    while (gen.next(chunk, kChunkPairs)) {
        const std::size_t per = (chunk.size() + kSlices - 1) / kSlices;
        runner.run(kSlices, [&](std::size_t s) {
            std::vector<std::int8_t> v(nf);
            const std::size_t end = std::min(chunk.size(), (s + 1) * per);
            for (std::size_t k = s * per; k < end; ++k) {
                if ((k & 4095) == 0 && runner.cancelled()) return;
                const bool is_held = held != HeldBack::Include && held_back_pair(chunk[k].left, chunk[k].right);
                if (is_held && held == HeldBack::Exclude) continue;
                levels_of(profile, left, chunk[k].left, R, chunk[k].right, v.data());
                (is_held ? held_parts[s] : parts[s]).add(v.data());
            }
        });
        runner.check();
    }
    for (const auto& part : parts) total.merge(part);
    if (held == HeldBack::Split)
        for (const auto& part : held_parts) held_back->merge(part);
    return total;
}

double possible_pairs(const RecordStore& left, const RecordStore* right) {
    const double n = static_cast<double>(left.size());
    return right ? n * static_cast<double>(right->size()) : n * (n - 1) / 2;
}

LevelCounts sample_level_counts(const Profile& profile, const RecordStore& left, const RecordStore* right,
                                std::uint64_t max_pairs, std::uint64_t seed, engine::TaskRunner& runner) {
    const std::size_t nf = profile.fields.size();
    const RecordStore& R = right ? *right : left;
    const std::uint64_t nl = left.size(), nr = R.size();
    const double all = possible_pairs(left, right);
    LevelCounts out;
    out.reached.resize(nf);
    for (std::size_t f = 0; f < nf; ++f) out.reached[f].assign(profile.fields[f].levels.size(), 0);
    out.non_null.assign(nf, 0);
    out.first_both.assign(nf * nf, 0);
    if (all < 1 || max_pairs == 0) return out;
    out.exhaustive = all <= static_cast<double>(max_pairs);
    // Exhaustive: pair number k -> (i, j) by rows; sampled: block-wise RNG streams seeded by the block.
    const std::uint64_t pairs = out.exhaustive ? static_cast<std::uint64_t>(all) : max_pairs;
    const std::uint64_t blocks = (pairs + kSampleBlock - 1) / kSampleBlock;
    std::vector<LevelCounts> parts(blocks);
    runner.run(blocks, [&](std::size_t blk) {
        LevelCounts& c = parts[blk];
        c.reached.resize(nf);
        for (std::size_t f = 0; f < nf; ++f) c.reached[f].assign(profile.fields[f].levels.size(), 0);
        c.non_null.assign(nf, 0);
        c.first_both.assign(nf * nf, 0);
        std::vector<std::size_t> first;
        std::mt19937_64 rng(engine::mix64(seed ^ engine::mix64(blk + 1)));
        const std::uint64_t begin = blk * kSampleBlock, end = std::min(pairs, begin + kSampleBlock);
        // Exhaustive enumeration state: start at pair `begin`.
        std::uint64_t i = 0, j = 0;
        if (out.exhaustive) {
            if (right) {
                i = begin / nr;
                j = begin % nr;
            } else {  // row i holds pairs (i, i+1..n-1): walk rows until `begin` falls inside one
                std::uint64_t k = begin;
                while (k >= nl - 1 - i) k -= nl - 1 - i, ++i;
                j = i + 1 + k;
            }
        }
        for (std::uint64_t k = begin; k < end; ++k) {
            if ((k & 4095) == 0 && runner.cancelled()) return;
            std::uint64_t a, b;
            if (out.exhaustive) {
                a = i, b = j;
                if (++j >= nr) ++i, j = right ? 0 : i + 1;
            } else if (right) {
                a = rng() % nl, b = rng() % nr;
            } else {
                do a = rng() % nl, b = rng() % nl;
                while (a == b);
                if (a > b) std::swap(a, b);
            }
            first.clear();
            for (std::size_t f = 0; f < nf; ++f) {
                int l = engine::compare_field(profile.fields[f], f, left, a, R, b);
                if (l < 0) continue;
                ++c.non_null[f];
                ++c.reached[f][static_cast<std::size_t>(l)];
                if (l == 0) first.push_back(f);
            }
            for (std::size_t x = 0; x < first.size(); ++x)
                for (std::size_t y = x + 1; y < first.size(); ++y) {
                    ++c.first_both[first[x] * nf + first[y]];
                    ++c.first_both[first[y] * nf + first[x]];
                }
        }
        c.pairs = end - begin;
    });
    for (const LevelCounts& c : parts) {
        out.pairs += c.pairs;
        for (std::size_t f = 0; f < nf; ++f) {
            out.non_null[f] += c.non_null[f];
            for (std::size_t g = 0; g < nf; ++g) out.first_both[f * nf + g] += c.first_both[f * nf + g];
            for (std::size_t l = 0; l < c.reached[f].size(); ++l) out.reached[f][l] += c.reached[f][l];
        }
    }
    return out;
}

}  // namespace usermatch::train

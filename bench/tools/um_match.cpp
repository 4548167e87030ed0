// um_match: run the matching engine on CSV files and measure speed and pairwise quality.
//
//   um_match --profile P.json --left A.csv [--right B.csv]
//            [--truth-column cluster | --truth-regex '^rec-(\d+)-' | --truth-map M.csv]
//            [--threads 2] [--min-probability p] [--csv-sep ', '] [--clusters] [--show-errors N]
//
// CSV: RFC 4180 quotes, CRLF or LF, last line without newline; spaces around unquoted fields are
// trimmed (so FEBRL's ", " separator works with the default ","). Empty fields are NULL.
#include "um_csv.hpp"

#include "core/engine/cluster.hpp"
#include "core/engine/explain.hpp"
#include "core/engine/matcher.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

using um_csv::Table;
using um_csv::load;
using um_csv::read_csv;
using um_csv::read_file;

struct Args {
    std::string profile, left, right, truth_column, truth_regex, truth_map;
    unsigned threads = 2;
    double min_probability = -1;
    char sep = ',';
    bool clusters = false;
    int show_errors = 0;
};

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error("missing value for " + k);
            return argv[++i];
        };
        if (k == "--profile") a.profile = val();
        else if (k == "--left") a.left = val();
        else if (k == "--right") a.right = val();
        else if (k == "--truth-column") a.truth_column = val();
        else if (k == "--truth-regex") a.truth_regex = val();
        else if (k == "--truth-map") a.truth_map = val();
        else if (k == "--threads") a.threads = static_cast<unsigned>(std::stoul(val()));
        else if (k == "--min-probability") a.min_probability = std::stod(val());
        else if (k == "--csv-sep") a.sep = val().at(0);
        else if (k == "--clusters") a.clusters = true;
        else if (k == "--show-errors") a.show_errors = std::stoi(val());
        else throw std::runtime_error("unknown argument " + k);
    }
    if (a.profile.empty() || a.left.empty()) throw std::runtime_error("--profile and --left are required");
    return a;
}

std::vector<std::string> truth_keys(const Args& a, const Table& t, const std::string& id_column) {
    return um_csv::truth_keys(a.truth_column, a.truth_regex, t, id_column);
}

std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) { return (std::uint64_t(a) << 32) | b; }

std::vector<RawValue> raw_row(const Profile& p, const Table& t, std::size_t r) {
    std::vector<RawValue> v;
    for (const Field& f : p.fields) {
        const std::string& s = t.rows[r][static_cast<std::size_t>(t.column(f.column))];
        v.push_back(s.empty() ? RawValue() : RawValue(s));
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Args a = parse_args(argc, argv);
        Profile profile = parse_profile(read_file(a.profile));
        const double min_p = a.min_probability >= 0 ? a.min_probability : profile.threshold;
        auto t_start = std::chrono::steady_clock::now();
        Table lt = read_csv(a.left, a.sep), rt;
        bool link = !a.right.empty();
        if (link) rt = read_csv(a.right, a.sep);
        double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();

        auto t0 = std::chrono::steady_clock::now();
        auto left = load(profile, lt, a.threads);
        std::unique_ptr<RecordStore> right;
        if (link) right = load(profile, rt, a.threads);
        std::vector<MatchResult> results;
        RunOptions opt;
        opt.threads = a.threads;
        opt.min_probability = min_p;
        RunStats st = run(profile, *left, right.get(), opt,
                          [&](const MatchResult* rows, std::size_t n) { results.insert(results.end(), rows, rows + n); });
        double engine_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::size_t records = st.left_records + st.right_records;
        std::printf("records            %zu (left %zu, right %zu)\n", records, st.left_records, st.right_records);
        std::printf("prior              %.6g\n", st.prior);
        for (const RuleEstimate& r : st.rules)
            std::printf("rule %zu             pairs %llu, largest block %llu, oversized %llu\n", r.rule,
                        (unsigned long long)r.candidate_pairs, (unsigned long long)r.largest_block,
                        (unsigned long long)r.oversized_blocks);
        for (std::size_t i = 0; i < st.oversized_blocks.size() && i < 5; ++i)
            std::printf("oversized block    rule %zu: %s (%llu records)\n", st.oversized_blocks[i].rule,
                        st.oversized_blocks[i].key.c_str(), (unsigned long long)st.oversized_blocks[i].size);
        std::printf("candidate pairs    %llu\n", (unsigned long long)st.candidate_pairs);
        std::printf("pairs emitted      %llu (p >= %g)\n", (unsigned long long)st.pairs_emitted, min_p);
        std::printf("time (s)           read csv %.3f | normalise %.3f  block %.3f  compare %.3f  emit %.3f | engine total %.3f\n",
                    read_s, st.seconds_normalize, st.seconds_block, st.seconds_compare, st.seconds_emit, engine_s);
        std::printf("speed              %.0f records/s end to end, %.0f scored pairs/s (%.0f per thread)\n",
                    records / engine_s, st.seconds_compare > 0 ? st.pairs_scored / st.seconds_compare : 0.0,
                    st.seconds_compare > 0 ? st.pairs_scored / st.seconds_compare / a.threads : 0.0);
        std::printf("peak memory est.   %.1f MB (stores %.1f MB)\n", st.peak_memory_bytes / 1e6,
                    (left->memory_bytes() + (right ? right->memory_bytes() : 0)) / 1e6);

        // Ground truth.
        bool have_truth = !a.truth_column.empty() || !a.truth_regex.empty() || !a.truth_map.empty();
        if (!have_truth) return 0;
        std::unordered_set<std::uint64_t> truth_pairs;  // only for --truth-map
        std::vector<std::string> lk, rk;
        std::uint64_t true_total = 0;
        if (!a.truth_map.empty()) {
            Table m = read_csv(a.truth_map, a.sep);
            for (const auto& row : m.rows) {
                auto l = left->find(row[0]);
                auto r = right ? right->find(row[1]) : left->find(row[1]);
                if (!l || !r) continue;
                std::uint32_t x = static_cast<std::uint32_t>(*l), y = static_cast<std::uint32_t>(*r);
                if (!link && x > y) std::swap(x, y);
                truth_pairs.insert(pair_key(x, y));
            }
            true_total = truth_pairs.size();
        } else {
            lk = truth_keys(a, lt, profile.id_column);
            if (link) rk = truth_keys(a, rt, profile.id_column);
            std::unordered_map<std::string, std::pair<std::uint64_t, std::uint64_t>> counts;
            for (const auto& k : lk)
                if (!k.empty()) counts[k].first++;
            for (const auto& k : rk)
                if (!k.empty()) counts[k].second++;
            for (const auto& [k, c] : counts) true_total += link ? c.first * c.second : c.first * (c.first - 1) / 2;
        }
        auto is_true = [&](std::uint32_t x, std::uint32_t y) {
            if (!truth_pairs.empty() || !a.truth_map.empty()) return truth_pairs.count(pair_key(x, y)) > 0;
            const std::string& kx = lk[x];
            const std::string& ky = link ? rk[y] : lk[y];
            return !kx.empty() && kx == ky;
        };
        auto report = [&](const char* what, std::uint64_t predicted, std::uint64_t tp) {
            double prec = predicted ? double(tp) / predicted : 0, rec = true_total ? double(tp) / true_total : 0;
            double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
            std::printf("%-18s predicted %llu, true %llu, TP %llu: precision %.4f recall %.4f F1 %.4f\n", what,
                        (unsigned long long)predicted, (unsigned long long)true_total, (unsigned long long)tp, prec,
                        rec, f1);
        };
        std::uint64_t tp = 0;
        std::unordered_set<std::uint64_t> predicted;
        int shown_fp = 0;
        for (const MatchResult& r : results) {
            bool t = is_true(r.left, r.right);
            tp += t;
            predicted.insert(pair_key(r.left, r.right));
            if (!t && shown_fp < a.show_errors) {
                ++shown_fp;
                std::printf("FP %s\n", explain_pair(profile, raw_row(profile, lt, r.left),
                                                   raw_row(profile, link ? rt : lt, r.right), std::max(st.left_records, st.right_records)).c_str());
            }
        }
        report("pairwise", results.size(), tp);
        if (a.show_errors > 0 && a.truth_map.empty()) {  // false negatives: true pairs not predicted
            int shown = 0;
            std::unordered_map<std::string, std::vector<std::uint32_t>> lg, rg;
            for (std::uint32_t i = 0; i < lk.size(); ++i)
                if (!lk[i].empty()) lg[lk[i]].push_back(i);
            for (std::uint32_t i = 0; i < rk.size(); ++i)
                if (!rk[i].empty()) rg[rk[i]].push_back(i);
            for (const auto& [k, ls] : lg) {
                const auto& rs = link ? rg[k] : ls;
                for (std::uint32_t x : ls)
                    for (std::uint32_t y : rs) {
                        if (!link && y <= x) continue;
                        if (predicted.count(pair_key(x, y)) || shown >= a.show_errors) continue;
                        ++shown;
                        std::printf("FN %s\n", explain_pair(profile, raw_row(profile, lt, x),
                                                           raw_row(profile, link ? rt : lt, y), std::max(st.left_records, st.right_records)).c_str());
                    }
            }
        }
        if (a.clusters) {
            std::vector<ClusterEdge> edges;
            for (const MatchResult& r : results)
                edges.push_back({r.left, link ? r.right + static_cast<std::uint32_t>(left->size()) : r.right, r.match_weight});
            auto t1 = std::chrono::steady_clock::now();
            ClusterResult cr = cluster_records(profile, *left, right.get(), edges);
            double cs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
            std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> groups;
            for (const auto& m : cr.members) groups[m.entity_node].push_back(m.node);
            std::uint64_t cpred = 0, ctp = 0;
            const std::uint32_t nl = static_cast<std::uint32_t>(left->size());
            for (const auto& [e, nodes] : groups)
                for (std::size_t i = 0; i < nodes.size(); ++i)
                    for (std::size_t j = i + 1; j < nodes.size(); ++j) {
                        std::uint32_t x = nodes[i], y = nodes[j];
                        if (link) {
                            if ((x < nl) == (y < nl)) continue;  // link counts only cross pairs
                            if (x > y) std::swap(x, y);
                            y -= nl;
                        } else if (x > y) {
                            std::swap(x, y);
                        }
                        ++cpred;
                        ctp += is_true(x, y);
                    }
            std::printf("clusters           %zu entities in %.3f s, merges refused: size %llu, identifier %llu\n",
                        groups.size(), cs, (unsigned long long)cr.merges_refused_size,
                        (unsigned long long)cr.merges_refused_identifier);
            report("cluster pairwise", cpred, ctp);
        }
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "um_match: %s%s%s\n", e.what(), e.detail().empty() ? "" : "\n  ", e.detail().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "um_match: %s\n", e.what());
    }
    return 1;
}

// um_train: trains a profile's m/u/prior on a CSV (usermatch::train) and prints pairwise F1 of the
// matcher before (default levels) and after training, plus the training time. For both it also
// prints the best F1 over all thresholds (ranking quality, apart from calibration) and the
// threshold reaching it; after training, the threshold train chose (expected F1, "auto") if any.
//
//   um_train (--profile P.json | --suggest) --left A.csv [--right B.csv]
//            [--truth-column cluster | --truth-regex '^rec-(\d+)-'] [--threads 2]
//            [--max-pairs N] [--seed S] [--save P_out.json] [--summary] [--exclude col,col]
//
// --suggest builds the profile from the CSV columns with suggest_profile (samples of 2,000 values).
#include "um_csv.hpp"

#include "core/engine/matcher.hpp"
#include "core/errors.hpp"
#include "core/train/suggest.hpp"
#include "core/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <unordered_map>
#include <unordered_set>

using namespace usermatch;
using namespace usermatch::engine;
using um_csv::Table;

namespace {

struct Args {
    std::string profile, left, right, truth_column, truth_regex, save;
    std::unordered_set<std::string> exclude;
    bool suggest = false, summary = false;
    unsigned threads = 2;
    std::uint64_t max_pairs = 1000000, seed = 42;
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
        else if (k == "--suggest") a.suggest = true;
        else if (k == "--left") a.left = val();
        else if (k == "--right") a.right = val();
        else if (k == "--truth-column") a.truth_column = val();
        else if (k == "--truth-regex") a.truth_regex = val();
        else if (k == "--threads") a.threads = static_cast<unsigned>(std::stoul(val()));
        else if (k == "--max-pairs") a.max_pairs = std::stoull(val());
        else if (k == "--seed") a.seed = std::stoull(val());
        else if (k == "--save") a.save = val();
        else if (k == "--summary") a.summary = true;
        else if (k == "--exclude") {
            std::stringstream ss(val());
            for (std::string c; std::getline(ss, c, ',');) a.exclude.insert(c);
        } else throw std::runtime_error("unknown argument " + k);
    }
    if ((a.profile.empty() && !a.suggest) || a.left.empty())
        throw std::runtime_error("--profile or --suggest, and --left are required");
    return a;
}

std::vector<std::string> truth_keys(const Args& a, const Table& t, const std::string& id_column) {
    return um_csv::truth_keys(a.truth_column, a.truth_regex, t, id_column);
}

// Columns of the CSV with up to 2,000 sampled non-empty values each (evenly spread rows).
std::vector<train::ColumnSample> column_samples(const Table& t, const Args& a) {
    std::vector<train::ColumnSample> out;
    const std::size_t n = t.rows.size(), step = std::max<std::size_t>(1, n / 2000);
    for (std::size_t c = 0; c < t.header.size(); ++c) {
        if (a.exclude.count(t.header[c]) || t.header[c] == a.truth_column) continue;
        train::ColumnSample s;
        s.name = t.header[c];
        s.type_name = "text";
        std::size_t seen = 0, nulls = 0;
        std::unordered_set<std::string> distinct;
        for (std::size_t r = 0; r < n; r += step) {
            const std::string& v = c < t.rows[r].size() ? t.rows[r][c] : std::string();
            ++seen;
            if (v.empty()) { ++nulls; continue; }
            s.values.push_back(v);
            s.sample_row.push_back(seen - 1);
            distinct.insert(v);
        }
        s.null_share = seen ? double(nulls) / seen : 1;
        s.distinct_share = s.values.empty() ? 0 : double(distinct.size()) / s.values.size();
        s.rows = n;
        s.sample_rows = seen;
        out.push_back(std::move(s));
    }
    return out;
}

struct Quality {
    double precision, recall, f1;
    std::uint64_t predicted, tp;
};

Quality evaluate(const Profile& p, const RecordStore& left, const RecordStore* right, unsigned threads,
                 const std::vector<std::string>& lk, const std::vector<std::string>& rk, std::uint64_t true_total) {
    const bool link = right != nullptr;
    std::uint64_t predicted = 0, tp = 0;
    RunOptions opt;
    opt.threads = threads;
    run(p, left, right, opt, [&](const MatchResult* rows, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            ++predicted;
            const std::string& x = lk[rows[i].left];
            const std::string& y = link ? rk[rows[i].right] : lk[rows[i].right];
            tp += !x.empty() && x == y;
        }
    });
    Quality q{};
    q.predicted = predicted;
    q.tp = tp;
    q.precision = predicted ? double(tp) / predicted : 0;
    q.recall = true_total ? double(tp) / true_total : 0;
    q.f1 = q.precision + q.recall > 0 ? 2 * q.precision * q.recall / (q.precision + q.recall) : 0;
    return q;
}

// Best pairwise F1 over every threshold: all candidate pairs scored, sorted by probability,
// swept from the top (a threshold falls between two distinct probabilities).
struct BestF1 {
    double f1 = 0, threshold = 1;
    std::uint64_t predicted = 0, candidates_true = 0;  // pairs at or above it; true pairs among the candidates
};

BestF1 best_f1(const Profile& p, const RecordStore& left, const RecordStore* right, unsigned threads,
               const std::vector<std::string>& lk, const std::vector<std::string>& rk, std::uint64_t true_total) {
    const bool link = right != nullptr;
    std::vector<std::pair<double, bool>> scored;
    RunOptions opt;
    opt.threads = threads;
    opt.min_probability = 1e-15;
    run(p, left, right, opt, [&](const MatchResult* rows, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::string& x = lk[rows[i].left];
            const std::string& y = link ? rk[rows[i].right] : lk[rows[i].right];
            scored.emplace_back(rows[i].match_probability, !x.empty() && x == y);
        }
    });
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    BestF1 best;
    std::uint64_t tp = 0;
    for (std::size_t i = 0; i < scored.size(); ++i) {
        tp += scored[i].second;
        if (i + 1 < scored.size() && scored[i + 1].first == scored[i].first) continue;
        const double f1 = true_total ? 2.0 * double(tp) / double(i + 1 + true_total) : 0;
        if (f1 > best.f1) best.f1 = f1, best.threshold = scored[i].first, best.predicted = i + 1;
    }
    best.candidates_true = tp;
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Args a = parse_args(argc, argv);
        Table lt = um_csv::read_csv(a.left, ','), rt;
        const bool link = !a.right.empty();
        if (link) rt = um_csv::read_csv(a.right, ',');
        Profile profile;
        if (a.suggest) {
            auto t0 = std::chrono::steady_clock::now();
            train::SuggestOptions so;
            train::Suggestion s = train::suggest_profile(column_samples(lt, a), so);
            profile = parse_profile(s.profile_json);
            std::printf("suggested profile  %s (%.3f s)\n%s\n", s.profile_json.c_str(),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                        s.explanation.c_str());
        } else {
            profile = parse_profile(um_csv::read_file(a.profile));
        }
        auto left = um_csv::load(profile, lt, a.threads);
        std::unique_ptr<RecordStore> right;
        if (link) right = um_csv::load(profile, rt, a.threads);

        std::vector<std::string> lk = truth_keys(a, lt, profile.id_column), rk;
        if (link) rk = truth_keys(a, rt, profile.id_column);
        std::unordered_map<std::string, std::pair<std::uint64_t, std::uint64_t>> counts;
        for (const auto& k : lk)
            if (!k.empty()) counts[k].first++;
        for (const auto& k : rk)
            if (!k.empty()) counts[k].second++;
        std::uint64_t true_total = 0;
        for (const auto& [k, c] : counts) true_total += link ? c.first * c.second : c.first * (c.first - 1) / 2;

        train::TrainOptions to;
        to.threads = a.threads;
        to.max_pairs = a.max_pairs;
        to.seed = a.seed;
        if (std::getenv("UM_NO_DAMPEN")) to.dampen_correlation = false;  // A/B of the correlation damping
        auto t0 = std::chrono::steady_clock::now();
        train::TrainResult tr = train::train(profile, *left, right.get(), to);
        double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (a.summary) std::printf("summary            %s\n", tr.summary_json.c_str());
        if (!a.save.empty()) std::ofstream(a.save) << profile_to_json(tr.profile) << "\n";
        std::printf("records            %zu + %zu\n", left->size(), right ? right->size() : 0);
        std::printf("training time      %.3f s (threads %u)\n", train_s, a.threads);
        if (lk.empty()) return 0;
        auto report = [&](const char* what, const Quality& q) {
            std::printf("%-18s predicted %llu, true %llu, TP %llu: precision %.4f recall %.4f F1 %.4f\n", what,
                        (unsigned long long)q.predicted, (unsigned long long)true_total, (unsigned long long)q.tp,
                        q.precision, q.recall, q.f1);
        };
        auto report_best = [&](const char* what, const BestF1& b) {
            std::printf("%-18s at threshold %.6g (%llu pairs; %llu true pairs among the candidates): F1 %.4f\n", what,
                        b.threshold, (unsigned long long)b.predicted, (unsigned long long)b.candidates_true, b.f1);
        };
        report("F1 default", evaluate(profile, *left, right.get(), a.threads, lk, rk, true_total));
        report_best("best-F1 default", best_f1(profile, *left, right.get(), a.threads, lk, rk, true_total));
        report("F1 trained", evaluate(tr.profile, *left, right.get(), a.threads, lk, rk, true_total));
        report_best("best-F1 trained", best_f1(tr.profile, *left, right.get(), a.threads, lk, rk, true_total));
        {
            const auto summary = nlohmann::json::parse(tr.summary_json);
            if (summary.contains("threshold") && summary["threshold"].is_object())
                std::printf("auto threshold     %s\n", summary["threshold"].dump().c_str());
            std::printf("trained threshold  %.6g\n", tr.profile.threshold);
        }
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "um_train: %s%s%s\n", e.what(), e.detail().empty() ? "" : "\n  ", e.detail().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "um_train: %s\n", e.what());
    }
    return 1;
}

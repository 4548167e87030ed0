// CSV reading and store loading for the bench tools (copied from um_match.cpp, which keeps its
// own copy so that the two tools stay independent).
#pragma once

#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <regex>
#include <string>
#include <vector>

namespace um_csv {

using namespace usermatch::engine;

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    int column(const std::string& name) const {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return static_cast<int>(i);
        return -1;
    }
};

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string trim(const std::string& s) {
    std::size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

inline Table read_csv(const std::string& path, char sep) {
    std::string text = read_file(path);
    Table t;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, was_quoted = false;
    auto end_field = [&]() {
        row.push_back(was_quoted ? field : trim(field));
        field.clear();
        was_quoted = false;
    };
    auto end_row = [&]() {
        end_field();
        if (!(row.size() == 1 && row[0].empty())) {
            if (t.header.empty()) t.header = row;
            else t.rows.push_back(row);
        }
        row.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field.push_back('"'), ++i;
            else if (c == '"') quoted = false;
            else field.push_back(c);
        } else if (c == '"' && trim(field).empty()) {
            quoted = was_quoted = true;
            field.clear();
        } else if (c == sep) {
            end_field();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            end_row();
        } else {
            field.push_back(c);
        }
    }
    if (!field.empty() || !row.empty()) end_row();
    return t;
}

inline std::unique_ptr<RecordStore> load(const Profile& p, const Table& t, unsigned threads) {
    int id_col = t.column(p.id_column);
    if (id_col < 0) throw std::runtime_error("id column " + p.id_column + " not in CSV");
    std::vector<int> cols;
    for (const Field& f : p.fields) {
        if (f.column.empty()) throw std::runtime_error("field " + f.name + ": expressions are not supported here");
        int c = t.column(f.column);
        if (c < 0) throw std::runtime_error("column " + f.column + " not in CSV");
        cols.push_back(c);
    }
    auto store = std::make_unique<RecordStore>(p);
    std::vector<std::string_view> ids;
    std::vector<RawValue> values;
    ids.reserve(t.rows.size());
    values.reserve(t.rows.size() * cols.size());
    for (const auto& row : t.rows) {
        ids.push_back(row.at(static_cast<std::size_t>(id_col)));
        for (int c : cols) {
            if (static_cast<std::size_t>(c) >= row.size() || row[static_cast<std::size_t>(c)].empty()) {
                values.push_back(RawValue());
                continue;
            }
            values.push_back(RawValue(row[static_cast<std::size_t>(c)]));
        }
    }
    store->append_batch(ids, values, threads);
    return store;
}

// Entity key per row from a truth column, or from a regex over the id column ("" = unknown).
inline std::vector<std::string> truth_keys(const std::string& truth_column, const std::string& truth_regex,
                                           const Table& t, const std::string& id_column) {
    std::vector<std::string> keys;
    if (!truth_column.empty()) {
        int c = t.column(truth_column);
        if (c < 0) throw std::runtime_error("truth column not in CSV");
        for (const auto& r : t.rows) keys.push_back(r[static_cast<std::size_t>(c)]);
    } else if (!truth_regex.empty()) {
        std::regex re(truth_regex);
        int c = t.column(id_column);
        for (const auto& r : t.rows) {
            std::smatch m;
            keys.push_back(std::regex_search(r[static_cast<std::size_t>(c)], m, re) && m.size() > 1 ? m[1].str() : "");
        }
    }
    return keys;
}

}  // namespace um_csv

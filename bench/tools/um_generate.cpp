// um_generate: writes deterministic synthetic user records with ground truth as CSV.
//
//   um_generate --rows N [--seed S] [--preset clean|realistic] [--duplicate-rate R]
//               [--chinese-share C] [--corruption K] [--out FILE]
//
// Header: user_id,entity_id,full_name,phone,email,birth_date,id_number,city (preset clean, the
// default) plus gender,address,country (preset realistic). UTF-8, RFC 4180
// quoting (fields with a comma, quote or line break are quoted, quotes doubled); NULL is an
// empty unquoted field (the generator never produces an empty string). Rows end with "\n".
// Load into PostgreSQL with: COPY t FROM 'file' WITH (FORMAT csv, HEADER true).
#include "core/errors.hpp"
#include "core/generate/user_generator.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using usermatch::generate::GeneratorOptions;
using usermatch::generate::UserGenerator;
using usermatch::generate::UserRecord;

namespace {

void usage(std::FILE* to) {
    std::fputs(
        "usage: um_generate --rows N [--seed S] [--preset P] [--duplicate-rate R] [--chinese-share C]\n"
        "                   [--corruption K] [--out FILE]\n"
        "  --rows N            number of records (0..50000000)\n"
        "  --seed S            PRNG seed (default 42); same arguments -> same bytes\n"
        "  --preset P          clean (default) or realistic (sparse, international, hard pairs;\n"
        "                      adds the columns gender,address,country)\n"
        "  --duplicate-rate R  expected fraction of records that are extra copies (0..0.9, default 0.3)\n"
        "  --chinese-share C   fraction of people with Chinese names (0..1, default 0.5)\n"
        "  --corruption K      0 clean copies, 1 default noise, 2 noisier (0..5, default 1)\n"
        "  --out FILE          output file (default: stdout)\n",
        to);
}

void append_csv_field(std::string& line, const std::string& value) {
    if (value.find_first_of(",\"\r\n") == std::string::npos) {
        line += value;
        return;
    }
    line += '"';
    for (char c : value) {
        if (c == '"') line += '"';
        line += c;
    }
    line += '"';
}

void append_optional(std::string& line, const std::optional<std::string>& value) {
    line += ',';
    if (value) append_csv_field(line, *value);
}

bool parse_number(const char* text, double& out) {
    char* end = nullptr;
    out = std::strtod(text, &end);
    return end != text && *end == '\0';
}

bool parse_unsigned(const char* text, unsigned long long& out) {
    if (*text == '-' || *text == '\0') return false;
    char* end = nullptr;
    out = std::strtoull(text, &end, 10);
    return *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
    GeneratorOptions options;
    unsigned long long rows = 0;
    bool have_rows = false;
    const char* out_path = nullptr;
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "um_generate: %s needs a value\n", arg);
            usage(stderr);
            return 2;
        }
        const char* value = argv[++i];
        bool ok = true;
        if (std::strcmp(arg, "--rows") == 0) {
            ok = parse_unsigned(value, rows);
            have_rows = ok;
        } else if (std::strcmp(arg, "--seed") == 0) {
            unsigned long long seed = 0;
            ok = parse_unsigned(value, seed);
            options.seed = seed;
        } else if (std::strcmp(arg, "--preset") == 0) {
            try {
                options.preset = usermatch::generate::parse_preset(value);
            } catch (const usermatch::Error&) {
                ok = false;
            }
        } else if (std::strcmp(arg, "--duplicate-rate") == 0) {
            ok = parse_number(value, options.duplicate_rate);
        } else if (std::strcmp(arg, "--chinese-share") == 0) {
            ok = parse_number(value, options.chinese_share);
        } else if (std::strcmp(arg, "--corruption") == 0) {
            ok = parse_number(value, options.corruption);
        } else if (std::strcmp(arg, "--out") == 0) {
            out_path = value;
        } else {
            std::fprintf(stderr, "um_generate: unknown option %s\n", arg);
            usage(stderr);
            return 2;
        }
        if (!ok) {
            std::fprintf(stderr, "um_generate: invalid value for %s: %s\n", arg, value);
            return 2;
        }
    }
    if (!have_rows) {
        std::fputs("um_generate: --rows is required\n", stderr);
        usage(stderr);
        return 2;
    }

    try {
        const auto start = std::chrono::steady_clock::now();
        UserGenerator generator(static_cast<std::size_t>(rows), options);
        std::FILE* out = out_path ? std::fopen(out_path, "wb") : stdout;
        if (!out) {
            std::fprintf(stderr, "um_generate: cannot open %s for writing\n", out_path);
            return 1;
        }
        const bool realistic = options.preset == usermatch::generate::Preset::Realistic;
        std::string buffer = realistic ? "user_id,entity_id,full_name,phone,email,birth_date,id_number,city,gender,address,country\n"
                                       : "user_id,entity_id,full_name,phone,email,birth_date,id_number,city\n";
        UserRecord r;
        while (generator.next(r)) {
            buffer += r.user_id;
            buffer += ',';
            buffer += r.entity_id;
            append_optional(buffer, r.full_name);
            append_optional(buffer, r.phone);
            append_optional(buffer, r.email);
            append_optional(buffer, r.birth_date);
            append_optional(buffer, r.id_number);
            append_optional(buffer, r.city);
            if (realistic) {
                append_optional(buffer, r.gender);
                append_optional(buffer, r.address);
                append_optional(buffer, r.country);
            }
            buffer += '\n';
            if (buffer.size() > (1u << 20)) {
                std::fwrite(buffer.data(), 1, buffer.size(), out);
                buffer.clear();
            }
        }
        std::fwrite(buffer.data(), 1, buffer.size(), out);
        const bool write_failed = std::ferror(out) != 0;
        if (out != stdout) std::fclose(out);
        else std::fflush(out);
        if (write_failed) {
            std::fputs("um_generate: write error\n", stderr);
            return 1;
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "um_generate: %llu records, %zu people, %.2f s (%.0f records/s)\n", rows,
                     generator.entity_count(), seconds, seconds > 0 ? static_cast<double>(rows) / seconds : 0.0);
    } catch (const usermatch::Error& e) {
        std::fprintf(stderr, "um_generate: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "um_generate: %s\n", e.what());
        return 1;
    }
    return 0;
}

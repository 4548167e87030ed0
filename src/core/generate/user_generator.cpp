#include "core/generate/user_generator.hpp"

#include "core/errors.hpp"
#include "core/generate/entity.hpp"
#include "core/generate/random.hpp"
#include "core/generate/realistic.hpp"
#include "core/generate/record.hpp"

#include <string>

namespace usermatch::generate {

using detail::Entity;

namespace {

constexpr std::uint64_t kStreamShuffle = 3;

int id_width(std::size_t count) {
    int digits = 1;
    for (std::size_t v = count; v >= 10; v /= 10) ++digits;
    return digits < 7 ? 7 : digits;
}

std::string padded_id(char prefix, std::size_t number, int width) {
    std::string digits = std::to_string(number);
    std::string s(1, prefix);
    if (static_cast<int>(digits.size()) < width) s.append(static_cast<std::size_t>(width) - digits.size(), '0');
    return s + digits;
}

}  // namespace

Preset parse_preset(std::string_view name) {
    if (name == "clean") return Preset::Clean;
    if (name == "realistic") return Preset::Realistic;
    throw Error(ErrorCode::InvalidParameter,
                "preset must be 'clean' or 'realistic' (got '" + std::string(name.substr(0, 64)) + "')");
}

void validate_generator_arguments(std::size_t n, const GeneratorOptions& options) {
    if (n > kMaxGeneratedUsers)
        throw Error(ErrorCode::InvalidParameter, "n must be at most 50000000 (got " + std::to_string(n) + ")");
    // Written as !(in range) so that NaN is rejected too.
    if (!(options.duplicate_rate >= 0.0 && options.duplicate_rate <= 0.9))
        throw Error(ErrorCode::InvalidParameter, "duplicate_rate must be between 0 and 0.9");
    if (!(options.chinese_share >= 0.0 && options.chinese_share <= 1.0))
        throw Error(ErrorCode::InvalidParameter, "chinese_share must be between 0 and 1");
    if (!(options.corruption >= 0.0 && options.corruption <= 5.0))
        throw Error(ErrorCode::InvalidParameter, "corruption must be between 0 and 5");
}

struct UserGenerator::State {
    GeneratorOptions options;
    std::size_t n = 0;
    std::size_t position = 0;
    int user_width = 7;
    int entity_width = 7;
    detail::TextArena texts;                      // the clean preset's e-mail addresses
    std::vector<Entity> people;                   // clean preset, reserved for the expected count
    std::vector<detail::RealPerson> real_people;  // realistic preset
    std::vector<std::uint64_t> order;  // (person index << 16) | copy, in output order
};

UserGenerator::UserGenerator(std::size_t n, const GeneratorOptions& options, const std::function<bool()>& keep_going)
    : state_(std::make_unique<State>()) {
    validate_generator_arguments(n, options);
    State& s = *state_;
    s.options = options;
    s.n = n;
    s.order.reserve(n);

    // People in creation order until their records add up to exactly n.
    auto poll = [&keep_going] {
        if (keep_going && !keep_going())
            throw Error(ErrorCode::QueryCanceled, "canceling usermatch computation on request");
    };
    auto add_copies = [&s, n](std::uint32_t index, std::uint16_t& extra_copies) {
        const std::size_t room = n - s.order.size() - 1;
        if (extra_copies > room) extra_copies = static_cast<std::uint16_t>(room);
        for (std::uint32_t copy = 0; copy <= extra_copies; ++copy)
            s.order.push_back((static_cast<std::uint64_t>(index) << 16) | copy);
    };
    // About n x (1 - duplicate_rate) people; the margin makes a regrowth (one long move) rare.
    const std::size_t expected_people =
        static_cast<std::size_t>(static_cast<double>(n) * (1.0 - options.duplicate_rate) * 1.02) + 64;
    if (options.preset == Preset::Realistic) {
        detail::RealisticFactory factory(options.seed, options.duplicate_rate, options.chinese_share);
        s.real_people.reserve(expected_people);
        while (s.order.size() < n) {
            if ((s.real_people.size() & 1023) == 0) poll();
            detail::RealPerson person = factory.make(static_cast<std::uint32_t>(s.real_people.size()));
            add_copies(person.index, person.extra_copies);
            if (person.extra_copies == 0) person.phone2.clear(), person.email2.clear(), person.moved = false;
            s.real_people.push_back(std::move(person));
        }
    } else {
        detail::EntityFactory factory(options.seed, options.duplicate_rate, options.chinese_share, s.texts, &keep_going);
        s.people.reserve(expected_people);
        while (s.order.size() < n) {
            if ((s.people.size() & 1023) == 0) poll();
            Entity person = factory.make(static_cast<std::uint32_t>(s.people.size()));
            add_copies(person.index, person.extra_copies);
            if (person.extra_copies == 0) person.alt_email = {};
            s.people.push_back(std::move(person));
        }
    }
    const std::size_t entities = s.people.size() + s.real_people.size();

    // Fisher-Yates with our own PRNG: copies of one person end up far apart.
    detail::Rng rng(detail::derive_seed(options.seed, kStreamShuffle, n));
    for (std::size_t i = s.order.size(); i > 1; --i) {
        if ((i & 65535) == 0) poll();
        std::swap(s.order[i - 1], s.order[rng.below(i)]);
    }

    s.user_width = id_width(n);
    s.entity_width = id_width(entities);
}

UserGenerator::~UserGenerator() = default;
UserGenerator::UserGenerator(UserGenerator&&) noexcept = default;
UserGenerator& UserGenerator::operator=(UserGenerator&&) noexcept = default;

std::size_t UserGenerator::size() const noexcept { return state_ ? state_->n : 0; }
std::size_t UserGenerator::remaining() const noexcept { return state_ ? state_->n - state_->position : 0; }
std::size_t UserGenerator::entity_count() const noexcept {
    return state_ ? state_->people.size() + state_->real_people.size() : 0;
}

bool UserGenerator::next(UserRecord& out) {
    if (!state_ || state_->position >= state_->n) return false;
    State& s = *state_;
    const std::uint64_t slot = s.order[s.position];
    const std::size_t index = static_cast<std::size_t>(slot >> 16);
    const auto copy = static_cast<std::uint32_t>(slot & 0xFFFF);
    detail::RecordFields fields =
        s.options.preset == Preset::Realistic
            ? detail::render_realistic(s.real_people[index], copy, s.options.seed, s.options.corruption)
            : detail::render_record(s.people[index], copy, s.options.seed, s.options.corruption);
    ++s.position;
    out.user_id = padded_id('u', s.position, s.user_width);
    out.entity_id = padded_id('e', index + 1, s.entity_width);
    out.full_name = std::move(fields.full_name);
    out.phone = std::move(fields.phone);
    out.email = std::move(fields.email);
    out.birth_date = std::move(fields.birth_date);
    out.id_number = std::move(fields.id_number);
    out.city = std::move(fields.city);
    out.gender = std::move(fields.gender);
    out.address = std::move(fields.address);
    out.country = std::move(fields.country);
    return true;
}

std::vector<UserRecord> UserGenerator::next_chunk(std::size_t max_records) {
    std::vector<UserRecord> chunk;
    const std::size_t count = max_records < remaining() ? max_records : remaining();
    chunk.resize(count);
    for (auto& record : chunk) next(record);
    return chunk;
}

std::vector<UserRecord> generate_users(std::size_t n, const GeneratorOptions& options) {
    UserGenerator generator(n, options);
    return generator.next_chunk(n);
}

}  // namespace usermatch::generate

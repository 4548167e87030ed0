// canonical_given_name: English (and a few Spanish) nicknames and old abbreviations to the
// formal given name, so "Bill Smith" and "William Smith" compare on the same token.
// Ambiguous nicknames are left out on purpose (al, bert, pat, jo, frank, max, tina, hal,
// sasha, ...): mapping them would merge unrelated people. The table is a sorted constexpr
// array searched by binary search (no global object is constructed at load time).
#include "core/normalize/normalize.hpp"

#include <algorithm>

namespace usermatch::normalize {
namespace {

struct Nickname {
    std::string_view nickname;
    std::string_view formal;
};

// Sorted by nickname (checked at compile time below).
constexpr Nickname kNicknames[] = {
    {"abbie", "abigail"}, {"abby", "abigail"}, {"abe", "abraham"},
    {"aggie", "agnes"}, {"albie", "albert"}, {"alec", "alexander"},
    {"alex", "alexander"}, {"alf", "alfred"}, {"alfie", "alfred"},
    {"andy", "andrew"}, {"angie", "angela"}, {"art", "arthur"},
    {"artie", "arthur"}, {"babs", "barbara"}, {"barb", "barbara"},
    {"barbie", "barbara"}, {"bart", "bartholomew"}, {"bea", "beatrice"},
    {"becca", "rebecca"}, {"becky", "rebecca"}, {"ben", "benjamin"},
    {"benj", "benjamin"}, {"benji", "benjamin"}, {"benny", "benjamin"},
    {"bernie", "bernard"}, {"bess", "elizabeth"}, {"bessie", "elizabeth"},
    {"beth", "elizabeth"}, {"betsy", "elizabeth"}, {"bette", "elizabeth"},
    {"betty", "elizabeth"}, {"bill", "william"}, {"billy", "william"},
    {"bob", "robert"}, {"bobby", "robert"}, {"brad", "bradley"},
    {"cal", "calvin"}, {"carrie", "caroline"}, {"cassie", "cassandra"},
    {"cath", "catherine"}, {"cathy", "catherine"}, {"charlie", "charles"},
    {"chas", "charles"}, {"chaz", "charles"}, {"chris", "christopher"},
    {"chrissy", "christine"}, {"chuck", "charles"}, {"chuy", "jesus"},
    {"cindy", "cynthia"}, {"cissy", "cecilia"}, {"cliff", "clifford"},
    {"connie", "constance"}, {"dan", "daniel"}, {"danl", "daniel"},
    {"danny", "daniel"}, {"dave", "david"}, {"davey", "david"},
    {"davy", "david"}, {"deb", "deborah"}, {"debbie", "deborah"},
    {"debby", "deborah"}, {"denny", "dennis"}, {"dick", "richard"},
    {"dickie", "richard"}, {"dolly", "dorothy"}, {"dom", "dominic"},
    {"don", "donald"}, {"donnie", "donald"}, {"dot", "dorothy"},
    {"dottie", "dorothy"}, {"doug", "douglas"}, {"drew", "andrew"},
    {"ed", "edward"}, {"eddie", "edward"}, {"eddy", "edward"},
    {"edw", "edward"}, {"eliza", "elizabeth"}, {"ellie", "eleanor"},
    {"ernie", "ernest"}, {"evie", "evelyn"}, {"flo", "florence"},
    {"flossie", "florence"}, {"fred", "frederick"}, {"freddie", "frederick"},
    {"freddy", "frederick"}, {"fritz", "frederick"}, {"gabby", "gabrielle"},
    {"gabe", "gabriel"}, {"gene", "eugene"}, {"geo", "george"},
    {"geoff", "geoffrey"}, {"georgie", "george"}, {"gerry", "gerald"},
    {"gert", "gertrude"}, {"gertie", "gertrude"}, {"gil", "gilbert"},
    {"ginger", "virginia"}, {"ginny", "virginia"}, {"greg", "gregory"},
    {"gus", "augustus"}, {"hank", "henry"}, {"harry", "henry"},
    {"hattie", "harriet"}, {"herb", "herbert"}, {"howie", "howard"},
    {"jack", "john"}, {"jackie", "jacqueline"}, {"jake", "jacob"},
    {"jamie", "james"}, {"janie", "jane"}, {"jas", "james"},
    {"jeff", "jeffrey"}, {"jen", "jennifer"}, {"jenn", "jennifer"},
    {"jenny", "jennifer"}, {"jerry", "gerald"}, {"jess", "jessica"},
    {"jessie", "jessica"}, {"jim", "james"}, {"jimmie", "james"},
    {"jimmy", "james"}, {"jno", "john"}, {"joe", "joseph"},
    {"joey", "joseph"}, {"johnny", "john"}, {"jos", "joseph"},
    {"josh", "joshua"}, {"josie", "josephine"}, {"judy", "judith"},
    {"kat", "katherine"}, {"kate", "katherine"}, {"kathy", "katherine"},
    {"katie", "katherine"}, {"ken", "kenneth"}, {"kenny", "kenneth"},
    {"kim", "kimberly"}, {"kitty", "katherine"}, {"lalo", "eduardo"},
    {"larry", "lawrence"}, {"len", "leonard"}, {"lenny", "leonard"},
    {"liam", "william"}, {"libby", "elizabeth"}, {"liv", "olivia"},
    {"livvy", "olivia"}, {"liz", "elizabeth"}, {"lizzie", "elizabeth"},
    {"lizzy", "elizabeth"}, {"lou", "louis"}, {"lupe", "guadalupe"},
    {"maddie", "madeline"}, {"maddy", "madeline"}, {"madge", "margaret"},
    {"maggie", "margaret"}, {"mamie", "mary"}, {"mandy", "amanda"},
    {"marge", "margaret"}, {"margie", "margaret"}, {"marv", "marvin"},
    {"matt", "matthew"}, {"matty", "matthew"}, {"meg", "margaret"},
    {"memo", "guillermo"}, {"mick", "michael"}, {"mickey", "michael"},
    {"mike", "michael"}, {"mikey", "michael"}, {"missy", "melissa"},
    {"mitch", "mitchell"}, {"molly", "mary"}, {"monty", "montgomery"},
    {"nacho", "ignacio"}, {"nate", "nathan"}, {"ned", "edward"},
    {"nell", "eleanor"}, {"nellie", "eleanor"}, {"nick", "nicholas"},
    {"nicky", "nicholas"}, {"norm", "norman"}, {"ollie", "oliver"},
    {"paco", "francisco"}, {"paddy", "patrick"}, {"pam", "pamela"},
    {"pancho", "francisco"}, {"patsy", "patricia"}, {"pattie", "patricia"},
    {"patty", "patricia"}, {"peggy", "margaret"}, {"penny", "penelope"},
    {"pepe", "jose"}, {"percy", "percival"}, {"pete", "peter"},
    {"phil", "philip"}, {"pippa", "philippa"}, {"polly", "mary"},
    {"quique", "enrique"}, {"rach", "rachel"}, {"ray", "raymond"},
    {"reg", "reginald"}, {"reggie", "reginald"}, {"rich", "richard"},
    {"richd", "richard"}, {"richie", "richard"}, {"rick", "richard"},
    {"ricky", "richard"}, {"rob", "robert"}, {"robbie", "robert"},
    {"robby", "robert"}, {"robt", "robert"}, {"ron", "ronald"},
    {"ronnie", "ronald"}, {"rosie", "rose"}, {"russ", "russell"},
    {"sadie", "sarah"}, {"sal", "salvatore"}, {"sally", "sarah"},
    {"sam", "samuel"}, {"saml", "samuel"}, {"sammy", "samuel"},
    {"sandy", "sandra"}, {"sol", "solomon"}, {"stan", "stanley"},
    {"steph", "stephanie"}, {"steve", "stephen"}, {"stevie", "stephen"},
    {"sue", "susan"}, {"susie", "susan"}, {"suzy", "susan"},
    {"tabby", "tabitha"}, {"ted", "edward"}, {"teddy", "edward"},
    {"terri", "teresa"}, {"tess", "teresa"}, {"tessie", "teresa"},
    {"theo", "theodore"}, {"thom", "thomas"}, {"thos", "thomas"},
    {"tilly", "matilda"}, {"tim", "timothy"}, {"timmy", "timothy"},
    {"toby", "tobias"}, {"tom", "thomas"}, {"tommy", "thomas"},
    {"tony", "anthony"}, {"topher", "christopher"}, {"tori", "victoria"},
    {"tricia", "patricia"}, {"trish", "patricia"}, {"trixie", "beatrice"},
    {"trudy", "gertrude"}, {"val", "valerie"}, {"vern", "vernon"},
    {"vicki", "victoria"}, {"vicky", "victoria"}, {"vince", "vincent"},
    {"vinnie", "vincent"}, {"vinny", "vincent"}, {"wally", "walter"},
    {"walt", "walter"}, {"wes", "wesley"}, {"wil", "william"},
    {"will", "william"}, {"willie", "william"}, {"willy", "william"},
    {"winnie", "winifred"}, {"wm", "william"}, {"xander", "alexander"},
    {"zach", "zachary"}, {"zack", "zachary"}, {"zak", "zachary"},
    {"zeke", "ezekiel"},
};

constexpr size_t kNicknameCount = sizeof(kNicknames) / sizeof(kNicknames[0]);

constexpr bool sorted_and_unique() {
    for (size_t i = 1; i < kNicknameCount; ++i)
        if (!(kNicknames[i - 1].nickname < kNicknames[i].nickname)) return false;
    return true;
}
static_assert(sorted_and_unique(), "kNicknames must be sorted by nickname without duplicates");
static_assert(kNicknameCount >= 150, "the nickname table should cover the common names");

// first[c - 'a'] .. first[c - 'a' + 1]: the entries whose nickname starts with letter c. Every token
// of every name is looked up, so the search starts from the first letter's few entries.
struct LetterRanges {
    std::size_t first[27] = {};
};
constexpr LetterRanges letter_ranges() {
    LetterRanges r;
    std::size_t i = 0;
    for (int c = 0; c < 26; ++c) {
        r.first[c] = i;
        while (i < kNicknameCount && kNicknames[i].nickname[0] == 'a' + c) ++i;
    }
    r.first[26] = i;
    return r;
}
constexpr LetterRanges kLetterRanges = letter_ranges();
static_assert(kLetterRanges.first[26] == kNicknameCount, "every nickname starts with a letter a-z");

}  // namespace

std::string_view canonical_given_name(std::string_view normalized_token) {
    if (normalized_token.size() < 2 || normalized_token[0] < 'a' || normalized_token[0] > 'z') return normalized_token;
    const int letter = normalized_token[0] - 'a';
    const Nickname* begin = kNicknames + kLetterRanges.first[letter];
    const Nickname* end = kNicknames + kLetterRanges.first[letter + 1];
    const Nickname* it = std::lower_bound(begin, end, normalized_token,
                                          [](const Nickname& n, std::string_view key) { return n.nickname < key; });
    return it != end && it->nickname == normalized_token ? it->formal : normalized_token;
}

}  // namespace usermatch::normalize

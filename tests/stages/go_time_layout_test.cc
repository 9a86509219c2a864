// GoTimeLayout and TimeZone: Go's time.Parse behaviour as Promtail's timestamp stage relies on it.
// Expected instants were computed independently (Python's calendar.timegm and zoneinfo).
#include "stages/go_time_layout.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace tailcast::stages {
namespace {

constexpr int64_t kSec = 1'000'000'000;
// 2024-06-15T12:00:00Z: "now" for layouts without a year.
constexpr int64_t kJune2024 = 1718452800 * kSec;

std::optional<int64_t> parse(std::string_view format, std::string_view text,
                             std::string_view location = "", int64_t now_ns = kJune2024) {
  TimeZonePtr zone = TimeZone::utc();
  if (!location.empty()) {
    auto loaded = TimeZone::load(location);
    EXPECT_TRUE(loaded.has_value()) << location;
    if (!loaded) return std::nullopt;
    zone = *loaded;
  }
  return GoTimeLayout::compile(format, zone).parse(text, now_ns);
}

TEST(GoTimeLayout, CompilesLayoutIntoFieldAndLiteralSteps) {
  using Op = GoTimeLayout::Op;
  const GoTimeLayout layout = GoTimeLayout::compile("2006-01-02 15:04:05,000", nullptr);
  std::vector<Op> ops;
  for (const auto& step : layout.steps()) ops.push_back(step.op);
  EXPECT_EQ(
      ops, (std::vector<Op>{Op::kLongYear, Op::kLiteral, Op::kZeroMonth, Op::kLiteral, Op::kZeroDay,
                            Op::kLiteral, Op::kHour, Op::kLiteral, Op::kZeroMinute, Op::kLiteral,
                            Op::kZeroSecond, Op::kFracSecond0}));
  EXPECT_EQ(layout.steps().back().digits, 3);
}

TEST(GoTimeLayout, Rfc3339ParsesUtcAndOffsets) {
  EXPECT_EQ(parse("RFC3339", "2024-03-05T10:20:30Z"), 1709634030 * kSec);
  EXPECT_EQ(parse("RFC3339", "2024-03-05T10:20:30+02:00"), 1709626830 * kSec);
  EXPECT_EQ(parse("2006-01-02T15:04:05Z07:00", "2024-03-05T10:20:30Z"), 1709634030 * kSec);
}

TEST(GoTimeLayout, EveryLayoutAcceptsAFractionItDoesNotHave) {
  EXPECT_EQ(parse("RFC3339", "2024-03-05T10:20:30.123456789Z"), 1709634030 * kSec + 123456789);
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-03-05 10:20:30.5"), 1709634030 * kSec + 500000000);
  EXPECT_EQ(parse("RFC3339Nano", "2024-03-05T10:20:30Z"), 1709634030 * kSec);
}

TEST(GoTimeLayout, RayCommaMillisecondsLayoutParses) {
  EXPECT_EQ(parse("2006-01-02 15:04:05,000", "2024-03-05 10:20:30,123"),
            1709634030 * kSec + 123000000);
}

TEST(GoTimeLayout, EveryRayFixtureTimestampParsesWithRaysLayout) {
  // Compared with sscanf and timegm, which share no code with the parser.
  const GoTimeLayout layout = GoTimeLayout::compile("2006-01-02 15:04:05,000", nullptr);
  const std::string key = "\"timestamp\": \"";
  int checked = 0;
  for (const auto& file :
       std::filesystem::recursive_directory_iterator(std::string(TC_FIXTURES_DIR) + "/expected")) {
    if (file.path().extension() != ".jsonl") continue;
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    for (size_t at = content.find(key); at != std::string::npos; at = content.find(key, at + 1)) {
      const std::string written = content.substr(at + key.size(), 23);
      std::tm tm{};
      int millis = 0;
      if (std::sscanf(written.c_str(), "%4d-%2d-%2d %2d:%2d:%2d,%3d", &tm.tm_year, &tm.tm_mon,
                      &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7)
        continue;
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      const int64_t expected = int64_t{timegm(&tm)} * kSec + int64_t{millis} * 1'000'000;
      EXPECT_EQ(layout.parse(written, kJune2024), expected) << written;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(GoTimeLayout, CommaAndPeriodAreInterchangeableBeforeTheFraction) {
  EXPECT_EQ(parse("2006-01-02 15:04:05,000", "2024-03-05 10:20:30.123"),
            1709634030 * kSec + 123000000);
  EXPECT_EQ(parse("2006-01-02 15:04:05.999", "2024-03-05 10:20:30,25"),
            1709634030 * kSec + 250000000);
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-03-05 10:20:30,5"), 1709634030 * kSec + 500000000);
}

TEST(GoTimeLayout, ZeroFractionNeedsExactlyItsDigitsWhileNinesAreOptional) {
  EXPECT_EQ(parse("2006-01-02 15:04:05.000", "2024-03-05 10:20:30.12"), std::nullopt);
  EXPECT_EQ(parse("2006-01-02 15:04:05.000", "2024-03-05 10:20:30"), std::nullopt);
  EXPECT_EQ(parse("2006-01-02 15:04:05.999", "2024-03-05 10:20:30"), 1709634030 * kSec);
}

TEST(GoTimeLayout, HourFifteenAcceptsOneDigit) {
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-03-05 8:20:30"), 1709626830 * kSec);
}

TEST(GoTimeLayout, WeekdayIsReadButNotChecked) {
  // 2024-03-05 was a Tuesday.
  EXPECT_EQ(parse("ANSIC", "Fri Mar  5 10:20:30 2024"), 1709634030 * kSec);
  EXPECT_EQ(parse("ANSIC", "Xyz Mar  5 10:20:30 2024"), std::nullopt);
}

TEST(GoTimeLayout, SixtySecondsFail) {
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-03-05 10:20:60"), std::nullopt);
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-03-05 24:00:00"), std::nullopt);
}

TEST(GoTimeLayout, RejectsExtraOrMissingTextAndImpossibleDates) {
  EXPECT_EQ(parse("2006-01-02", "2024-03-05x"), std::nullopt);
  EXPECT_EQ(parse("2006-01-02 15:04", "2024-03-05"), std::nullopt);
  EXPECT_EQ(parse("2006-01-02", "2023-02-29"), std::nullopt);
  EXPECT_EQ(parse("2006-01-02", "2024-02-29"), 1709164800 * kSec);
  EXPECT_EQ(parse("2006-01-02", "2024-13-01"), std::nullopt);
}

TEST(GoTimeLayout, MonthNamesAreCaseInsensitiveAndUnderscoreDayTakesASpace) {
  EXPECT_EQ(parse("Jan _2 2006 15:04:05", "mar  5 2024 10:20:30"), 1709634030 * kSec);
  EXPECT_EQ(parse("January 2, 2006 15:04:05", "MARCH 5, 2024 10:20:30"), 1709634030 * kSec);
}

TEST(GoTimeLayout, TwoDigitYearsPivotAt69) {
  EXPECT_EQ(parse("06-01-02 15:04", "69-07-20 20:17"), -14182980 * kSec);
  EXPECT_EQ(parse("06-01-02 15:04:05", "24-03-05 10:20:30"), 1709634030 * kSec);
}

TEST(GoTimeLayout, TwelveHourClockWithPm) {
  EXPECT_EQ(parse("2006-01-02 3:04PM", "2024-03-05 10:20AM"), (1709634030 - 30) * kSec);
  EXPECT_EQ(parse("2006-01-02 03:04pm", "2024-03-05 12:00am"), (1709634030 - 37230) * kSec);
  EXPECT_EQ(parse("2006-01-02 3:04PM", "2024-03-05 10:20XM"), std::nullopt);
}

TEST(GoTimeLayout, DayOfYearSetsMonthAndDay) {
  EXPECT_EQ(parse("2006-002 15:04:05", "2024-065 10:20:30"), 1709634030 * kSec);
}

TEST(GoTimeLayout, SpaceInLayoutMatchesARunOfSpaces) {
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-03-05    10:20:30"), 1709634030 * kSec);
}

TEST(GoTimeLayout, NumericOffsetOverridesTheLocation) {
  EXPECT_EQ(parse("2006-01-02 15:04:05 -0700", "2024-03-05 10:20:30 +0200", "America/New_York"),
            1709626830 * kSec);
}

TEST(GoTimeLayout, LocationAppliesToTextWithoutZone) {
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-07-01 12:00:00", "Europe/Berlin"),
            1719828000 * kSec);
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2024-01-15 12:00:00", "Europe/Berlin"),
            1705316400 * kSec);
}

TEST(GoTimeLayout, SpringForwardGapTakesTheDaylightOffset) {
  // 02:30 does not exist in New York on 2023-03-12; Go reads it as 02:30 EDT.
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2023-03-12 02:30:00", "America/New_York"),
            1678602600 * kSec);
}

TEST(GoTimeLayout, FallBackOverlapTakesTheFirstOccurrence) {
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2023-11-05 01:30:00", "America/New_York"),
            1699162200 * kSec);
}

TEST(GoTimeLayout, ZoneRulesApplyPastTheLastListedTransition) {
  EXPECT_EQ(parse("2006-01-02 15:04:05", "2050-07-01 12:00:00", "America/New_York"),
            2540304000 * kSec);
}

TEST(GoTimeLayout, AbbreviationsResolveThroughTheLocation) {
  EXPECT_EQ(parse("2006-01-02 15:04:05 MST", "2024-07-01 12:00:00 EDT", "America/New_York"),
            1719849600 * kSec);
  EXPECT_EQ(parse("2006-01-02 15:04:05 MST", "2024-01-15 12:00:00 EST", "America/New_York"),
            1705338000 * kSec);
  // Unknown to the location: Go keeps the clock reading as if it were UTC.
  EXPECT_EQ(parse("2006-01-02 15:04:05 MST", "2024-01-15 12:00:00 CET", "America/New_York"),
            (1705338000 - 5 * 3600) * kSec);
}

TEST(GoTimeLayout, PromtailNamedFormatsIgnoreTheLocation) {
  EXPECT_EQ(parse("ANSIC", "Tue Mar  5 10:20:30 2024", "America/New_York"), 1709634030 * kSec);
  EXPECT_EQ(parse("UnixDate", "Tue Mar  5 10:20:30 UTC 2024"), 1709634030 * kSec);
}

TEST(GoTimeLayout, GoNamedLayoutsAreAvailable) {
  EXPECT_EQ(parse("StampMilli", "Mar  5 10:20:30.123"), 1709634030 * kSec + 123000000);
  EXPECT_EQ(parse("RFC1123Z", "Tue, 05 Mar 2024 10:20:30 +0000"), 1709634030 * kSec);
  EXPECT_EQ(parse("RFC822", "05 Mar 24 10:20 UTC"), (1709634030 - 30) * kSec);
}

TEST(GoTimeLayout, LayoutWithoutYearTakesTheCurrentYear) {
  EXPECT_EQ(parse("Jan _2 15:04:05", "Mar  5 10:20:30"), 1709634030 * kSec);
}

TEST(GoTimeLayout, LayoutWithoutYearCrossesNewYearTowardsNow) {
  const int64_t jan_2025 = 1735689600 * kSec + 3600 * kSec;
  EXPECT_EQ(parse("Jan _2 15:04:05", "Dec 31 23:59:59", "", jan_2025), 1735689599 * kSec);
  const int64_t dec_2023 = 1704153600 * kSec - 2 * 86400 * kSec;
  EXPECT_EQ(parse("Jan _2 15:04:05", "Jan  2 00:00:00", "", dec_2023), 1704153600 * kSec);
}

TEST(GoTimeLayout, InstantsOutsideInt64NanosecondsFail) {
  EXPECT_EQ(parse("RFC3339", "2263-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse("RFC3339", "1677-01-01T00:00:00Z"), std::nullopt);
}

TEST(GoTimeLayout, UnixSecondsWithAndWithoutFraction) {
  EXPECT_EQ(parse("Unix", "1709634030"), 1709634030 * kSec);
  EXPECT_EQ(parse("Unix", "1709634030.5"), 1709634030 * kSec + 500000000);
  EXPECT_EQ(parse("Unix", "1709634030.000123"), 1709634030 * kSec + 123000);
  EXPECT_EQ(parse("Unix", "1709634030.5.1"), std::nullopt);
  EXPECT_EQ(parse("Unix", "1709634030."), std::nullopt);
  EXPECT_EQ(parse("Unix", "soon"), std::nullopt);
}

TEST(GoTimeLayout, UnixTruncatesFractionDigitsPastNine) {
  EXPECT_EQ(parse("Unix", "1709634030.1234567891"), 1709634030 * kSec + 123456789);
}

TEST(GoTimeLayout, UnixMillisMicrosAndNanos) {
  EXPECT_EQ(parse("UnixMs", "1709634030123"), 1709634030123 * 1'000'000);
  EXPECT_EQ(parse("UnixUs", "1709634030123456"), 1709634030123456 * 1'000);
  EXPECT_EQ(parse("UnixNs", "1709634030123456789"), 1709634030123456789);
  EXPECT_EQ(parse("UnixMs", "1709634030123.5"), std::nullopt);
}

TEST(GoFloatText, FormatsNumbersAsGoStrconvDoes) {
  char buffer[400];
  EXPECT_EQ(go_float_text("1.7e9", buffer, sizeof buffer), "1700000000");
  EXPECT_EQ(go_float_text("1709634030123456789", buffer, sizeof buffer), "1709634030123456800");
  EXPECT_EQ(go_float_text("0.25", buffer, sizeof buffer), "0.25");
  EXPECT_EQ(go_float_text("-0.00015", buffer, sizeof buffer), "-0.00015");
  EXPECT_EQ(go_float_text("1.5e-7", buffer, sizeof buffer), "0.00000015");
  EXPECT_EQ(go_float_text("abc", buffer, sizeof buffer), "abc");
}

TEST(TimeZone, RejectsUnknownAndPathLikeNames) {
  EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons").has_value());
  EXPECT_FALSE(TimeZone::load("../../etc/passwd").has_value());
  EXPECT_FALSE(TimeZone::load("/etc/localtime").has_value());
  EXPECT_TRUE(TimeZone::load("UTC").has_value());
}

TEST(TimeZone, LookupGivesOffsetAndAbbreviation) {
  auto zone = TimeZone::load("America/New_York");
  ASSERT_TRUE(zone.has_value());
  const auto summer = (*zone)->lookup(1719849600);
  EXPECT_EQ(summer.type->offset, -4 * 3600);
  EXPECT_EQ(summer.type->abbreviation, "EDT");
  const auto winter = (*zone)->lookup(1705338000);
  EXPECT_EQ(winter.type->offset, -5 * 3600);
  EXPECT_TRUE(winter.start < 1705338000 && 1705338000 < winter.end);
}

TEST(TimeZone, ZonesAreLoadedOnceAndShared) {
  auto first = TimeZone::load("Europe/Berlin");
  auto second = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->get(), second->get());
}

}  // namespace
}  // namespace tailcast::stages

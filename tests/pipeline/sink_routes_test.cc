// SinkRoutes: a job's entries reach only its sinks; a full sink holds back only the jobs using it.
#include "pipeline/sink_routes.h"

#include <gtest/gtest.h>

namespace tailcast {
namespace {

class RoomSink : public Sink {
 public:
  explicit RoomSink(size_t room) : room(room) {}
  void send(std::unique_ptr<Batch>, DoneFn) noexcept override {}
  size_t free_bytes() const noexcept override { return room; }
  void drain(std::chrono::steady_clock::time_point) noexcept override {}
  std::string_view name() const noexcept override { return "room"; }
  size_t room;
};

const std::vector<std::string> kNames = {"loki", "kafka", "stdout"};

TEST(SinkRoutes, AJobWithoutAListShipsToEverySink) {
  auto routes = SinkRoutes::build({{}}, kNames);
  ASSERT_TRUE(routes) << routes.error().message;
  EXPECT_EQ(routes->sinks_of(0), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(routes->groups().size(), 1u);
}

TEST(SinkRoutes, JobsWithTheSameSinksShareAGroupWhateverTheOrder) {
  auto routes = SinkRoutes::build({{"kafka", "loki"}, {"stdout"}, {"loki", "kafka", "loki"}}, kNames);
  ASSERT_TRUE(routes) << routes.error().message;
  EXPECT_EQ(routes->sinks_of(0), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(routes->sinks_of(1), (std::vector<size_t>{2}));
  EXPECT_EQ(routes->sinks_of(2), (std::vector<size_t>{0, 1}));
  ASSERT_EQ(routes->groups().size(), 2u);
  EXPECT_EQ(routes->group_of(0), routes->group_of(2));
  EXPECT_NE(routes->group_of(0), routes->group_of(1));
  EXPECT_EQ(routes->groups()[routes->group_of(0)].scrapes, (std::vector<size_t>{0, 2}));
}

TEST(SinkRoutes, AnUnknownNameIsAnError) {
  auto routes = SinkRoutes::build({{"loki"}, {"otlp"}}, kNames);
  ASSERT_FALSE(routes);
  EXPECT_NE(routes.error().message.find("\"otlp\""), std::string::npos);
}

TEST(SinkRoutes, AFullSinkPausesOnlyTheGroupsShippingToIt) {
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<RoomSink>(0));     // loki: full
  sinks.push_back(std::make_unique<RoomSink>(5000));  // kafka
  sinks.push_back(std::make_unique<RoomSink>(300));   // stdout
  auto routes = SinkRoutes::build({{"loki", "kafka"}, {"kafka"}, {"kafka", "stdout"}}, kNames);
  ASSERT_TRUE(routes) << routes.error().message;
  EXPECT_EQ(routes->room(routes->group_of(0), sinks, 4096), 0u);
  EXPECT_EQ(routes->room(routes->group_of(1), sinks, 4096), 4096u) << "capped";
  EXPECT_EQ(routes->room(routes->group_of(2), sinks, 4096), 300u) << "the least of its sinks";
}

}  // namespace
}  // namespace tailcast

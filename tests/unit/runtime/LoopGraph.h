#pragma once
// A think/act loop graph that runs `steps` node executions with a ~1.5 KB
// state: the long recording of the replay benchmark and of the tests that
// cancel a long replay.

#include <nlohmann/json.hpp>
#include <string>

namespace replaytest {

inline nlohmann::json loopGraph(int steps)
{
    using json = nlohmann::json;
    json notes = json::array();
    for (int i = 0; i < 12; ++i)
        notes.push_back({{"id", i},
                         {"text", "observation " + std::to_string(i) + " about the ticket queue"},
                         {"score", 0.5 + i / 100.0}});
    return {{"format", "nexus-graph/1"},
            {"name", "bench_loop"},
            {"entry_point", "think"},
            {"recursion_limit", steps + 10},
            {"initial_state",
             {{"n", 0},
              {"goal", "Keep the support queue under ten minutes of wait"},
              {"notes", notes},
              {"plan", {{"step", 0}, {"status", "open"}}}}},
            {"nodes",
             {{{"name", "think"},
               {"latency_ms", {{"uniform", {5, 20}}}},
               {"updates",
                {{{"op", "increment"}, {"path", "/n"}},
                 {{"op", "set"}, {"path", "/plan/status"}, {"value", "thinking about {{/n}}"}}}}},
              {{"name", "act"},
               {"latency_ms", {{"uniform", {5, 20}}}},
               {"updates",
                {{{"op", "increment"}, {"path", "/plan/step"}},
                 {{"op", "set"}, {"path", "/last_action"}, {"int_range", {1, 1000}}}}}}}},
            {"edges",
             {{{"from", "think"}, {"to", "act"}},
              {{"from", "act"},
               {"routes",
                {{{"label", "again"},
                  {"to", "think"},
                  {"when", {{"path", "/n"}, {"op", "<"}, {"value", steps / 2}}}},
                 {{"label", "done"}, {"to", "__end__"}, {"default", true}}}}}}}};
}

} // namespace replaytest

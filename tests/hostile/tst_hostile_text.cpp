// Rich text / HTML, links, very long words, RTL overrides, NUL bytes and
// newlines in every string that comes from outside and is shown: run views
// (instance ids, graph and node names, thread ids, errors, attributes, tool
// names, token text, state), the fleet table, knowledge entries, rollouts
// (names, reasons, actors). The views are built for real and walked
// generically (HostileText.h): every label, every tool tip as QToolTip shows
// it, every text editor and item view. Screenshots:
// <build>/screenshots/hostile-text-*.png.
#include "models/FleetFilterProxy.h"
#include "models/FleetModel.h"
#include "widgets/AnalysisView.h"
#include "widgets/FleetTableView.h"
#include "widgets/KnowledgeEntryView.h"
#include "widgets/NodeDetailsView.h"
#include "widgets/ReplayBreakpointsPanel.h"
#include "widgets/ReplayDebuggerView.h"
#include "widgets/RolloutStepsView.h"
#include "widgets/RunView.h"

#include "../unit/models/RunStoreTestSupport.h"
#include "../unit/models/SyntheticFleet.h"
#include "../unit/runtime/ReplaySupport.h"
#include "../unit/widgets/KnowledgeEntries.h"
#include "../unit/widgets/RolloutFixtures.h"
#include "HostileText.h"

#include <QDir>
#include <QTest>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace nexus;
using namespace nexus::hostile;
namespace pb = ::nexus::v1;

namespace {

constexpr int kScreenWidth = 1920;

void save(QWidget& w, const char* name)
{
    QApplication::processEvents();
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/hostile-text-") +
                         QLatin1String(name) + QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

void verifyAudit(QWidget& root, int minLabels)
{
    const Audit a = auditTree(&root, kScreenWidth);
    QVERIFY2(a.problems.isEmpty(), qPrintable(a.problems.join(QLatin1Char('\n'))));
    QVERIFY2(
        a.labelsWithHostileText >= minLabels,
        qPrintable(
            QStringLiteral("only %1 labels show the hostile text").arg(a.labelsWithHostileText)));
    qInfo("audited: %d hostile labels, %d tool tips, %d items", a.labelsWithHostileText,
          a.toolTipsChecked, a.itemsChecked);
}

std::string schemaWithHostileNames(const std::string& node, const std::string& other)
{
    nlohmann::json schema = {{"name", hostileText("graph")},
                             {"version", "1.0.0"},
                             {"description", nullptr},
                             {"nodes",
                              {{{"name", node},
                                {"description", hostileText("description")},
                                {"node_type", {{"custom", hostileText("type")}}},
                                {"input_fields", nlohmann::json::array()},
                                {"output_fields", nlohmann::json::array()},
                                {"position", nullptr},
                                {"attributes", nlohmann::json::object()}},
                               {{"name", other},
                                {"description", nullptr},
                                {"node_type", "tool"},
                                {"input_fields", nlohmann::json::array()},
                                {"output_fields", nlohmann::json::array()},
                                {"position", nullptr},
                                {"attributes", nlohmann::json::object()}}}},
                             {"edges",
                              {{{"from", node},
                                {"to", other},
                                {"edge_type", "conditional"},
                                {"label", hostileText("label")},
                                {"conditional_targets", nullptr}},
                               {{"from", other},
                                {"to", "__end__"},
                                {"edge_type", "direct"},
                                {"label", nullptr},
                                {"conditional_targets", nullptr}}}},
                             {"entry_point", node},
                             {"state_type", nullptr},
                             {"exported_at", "2026-01-01T00:00:00Z"},
                             {"metadata", nlohmann::json::object()}};
    return schema.dump();
}

} // namespace

class TestHostileText : public QObject
{
    Q_OBJECT

private slots:
    void runViewShowsWireTextLiterally()
    {
        const std::string node = hostileText("node");
        const std::string other = kLongWord;
        testing::StreamBuilder b(hostileText("thread"));
        std::vector<protocol::ds::DashStreamMessage> messages;
        messages.push_back(b.graphStart(
            1, schemaWithHostileNames(node, other),
            {{hostileText("key"), hostileText("value")}, {"long", kLongWord}, {"nul", kNulText}},
            {{"instance_id", hostileText("instance")},
             {"graph_name", hostileText("graph")},
             {hostileText("attr"), hostileText("attr value")}}));
        messages.push_back(b.event(protocol::ds::EVENT_TYPE_NODE_START, node, 2,
                                   {{"model", hostileText("model")},
                                    {hostileText("k"), hostileText("v")},
                                    {"nul", kNulText}}));
        messages.push_back(b.tokenChunk(3, "req-1", 0, hostileText("token text"), true));
        messages.push_back(b.error(4, hostileText("code"), hostileText("error message"),
                                   protocol::ds::Error::SEVERITY_ERROR, node));
        messages.push_back(b.event(protocol::ds::EVENT_TYPE_NODE_END, node, 5,
                                   {{"to", other}, {"condition_result", hostileText("route")}}));
        messages.push_back(b.event(protocol::ds::EVENT_TYPE_NODE_START, other, 6));
        messages.push_back(b.event(protocol::ds::EVENT_TYPE_NODE_ERROR, other, 7,
                                   {{"error", hostileText("node error") + kLongWord}}));
        messages.push_back(b.event(protocol::ds::EVENT_TYPE_GRAPH_ERROR, "", 8,
                                   {{"error", hostileText("graph error")}}));
        models::RunStore store;
        const models::ApplyResult result = testing::applyAll(store, messages);
        QCOMPARE(result.added.size(), std::size_t(1));
        const models::Run* run = store.run(result.added.front());
        QVERIFY(run->graph);

        widgets::RunView view;
        view.resize(1400, 900);
        view.setStore(&store);
        view.showRun(result.added.front());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.selectNode(QString::fromStdString(node));
        QApplication::processEvents();
        verifyAudit(view, 2);
        save(view, "run-view");
        view.selectNode(QString::fromStdString(other));
        QApplication::processEvents();
        verifyAudit(view, 1);
        save(view, "run-view-long-node");
        QVERIFY2(view.minimumSizeHint().width() <= kScreenWidth,
                 qPrintable(QString::number(view.minimumSizeHint().width())));
    }

    void fleetTableShowsInstanceIdsLiterally()
    {
        auto fleet = testing::sandboxFleet(6).instances;
        for (int i = 0; i < 3; ++i) {
            pb::Instance& hostile = fleet[std::size_t(i)];
            hostile.set_instance_id(i == 0   ? hostileText("instance")
                                    : i == 1 ? kLongWord
                                             : kNulText);
            hostile.set_deployment(hostileText("deployment"));
            hostile.set_version(hostileText("version"));
            hostile.set_host(hostileText("host"));
            hostile.set_region(hostileText("region"));
        }
        models::FleetModel model;
        models::FleetFilterProxy proxy;
        proxy.setSourceModel(&model);
        QWidget window;
        window.resize(1400, 500);
        auto* layout = new QVBoxLayout(&window);
        auto* table = new widgets::FleetTableView(&window);
        layout->addWidget(table);
        table->setModel(&proxy);
        model.applyUpdate(testing::fullUpdate(fleet));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(model.index(model.rowOf(QString::fromStdString(hostileText("instance"))), 0)
                     .data()
                     .toString(),
                 QString::fromStdString(hostileText("instance")));
        verifyAudit(window, 0);
        save(window, "fleet");
    }

    void knowledgeEntryShowsTitlesAndBodiesLiterally()
    {
        auto entry = testing::pitfallEntry();
        entry.set_title(hostileText("title"));
        entry.set_summary(hostileText("summary"));
        entry.set_found_by(hostileText("found by"));
        entry.add_source_instances(hostileText("instance"));
        entry.mutable_pitfall()->set_description(hostileText("body") + kLongWord);
        entry.mutable_pitfall()->set_mitigation(hostileText("mitigation") + kNulText);
        entry.set_graph_name(hostileText("graph"));
        entry.set_tenant_id(hostileText("tenant"));
        widgets::KnowledgeEntryView view;
        view.resize(1100, 800);
        view.setEntry(entry, testing::kKnowledgeNowUs);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        verifyAudit(view, 1);
        save(view, "knowledge");

        auto prompt = testing::promptEntry();
        prompt.mutable_prompt_optimization()->set_original_prompt(hostileText("original"));
        prompt.mutable_prompt_optimization()->set_optimized_prompt(hostileText("optimized") +
                                                                   kNulText);
        view.setEntry(prompt, testing::kKnowledgeNowUs);
        QApplication::processEvents();
        verifyAudit(view, 0);
        QVERIFY(view.originalPlainText().contains(QStringLiteral("<b>HB original</b>")));
        save(view, "knowledge-prompt");
    }

    void rolloutsShowNamesReasonsAndActorsLiterally()
    {
        pb::Rollout r = testing::rollouts::rolledBackRollout();
        r.set_graph_name(hostileText("graph"));
        r.set_node_id(hostileText("node"));
        r.set_created_by(hostileText("actor"));
        r.set_reason(hostileText("reason") + kLongWord);
        const std::string actor = hostileText("actor");
        testing::rollouts::event(r, testing::rollouts::at(20, 45), "aborted",
                                 hostileText("event detail"), actor.c_str());
        QWidget window;
        window.resize(1300, 900);
        auto* layout = new QVBoxLayout(&window);
        auto* steps = new widgets::RolloutStepsView(&window);
        auto* analysis = new widgets::AnalysisView(&window);
        layout->addWidget(steps);
        layout->addWidget(analysis, 1);
        steps->setRollout(r);
        analysis->setRollout(r);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        verifyAudit(window, 0);
        QVERIFY2(analysis->outcomeText().contains(QStringLiteral("<b>HB reason</b>")),
                 qPrintable(analysis->outcomeText()));
        save(window, "rollout");
    }

    void replayDebuggerShowsWireTextLiterally()
    {
        const std::string first = hostileText("first");
        const std::string second = hostileText("second");
        nlohmann::json doc = {
            {"format", "nexus-graph/1"},
            {"name", hostileText("graph")},
            {"entry_point", first},
            {"initial_state", {{hostileText("key"), hostileText("value")}}},
            {"nodes", {{{"name", first}, {"type", "llm"}}, {{"name", second}}}},
            {"edges", {{{"from", first}, {"to", second}}, {{"from", second}, {"to", "__end__"}}}}};
        const auto run = replaytest::record(replaytest::graphFrom(doc), 3, hostileText("thread"));
        QCOMPARE(run.result.status, runtime::RunStatus::Completed);
        widgets::ReplayDebuggerView view;
        view.resize(1400, 900);
        view.setTrace(replaytest::withBadHash(run.messages, 1),
                      QString::fromStdString(hostileText("title")));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.step();
        view.toggleBreakpoint();
        QApplication::processEvents();
        auto* panel = view.findChild<widgets::ReplayBreakpointsPanel*>();
        QVERIFY(panel);
        QVERIFY(panel->list()->topLevelItemCount() >= 1);
        verifyAudit(view, 1);
        save(view, "replay-debugger");
    }
};

QTEST_MAIN(TestHostileText)
#include "tst_hostile_text.moc"

// The replay / fork debugger over seeded runs recorded by the embedded
// runtime (Executor + TelemetryEmitter into a MemorySink): the summary of a
// clean replay, F10 / Shift+F10 / F5 / Ctrl+F10 / F9 moving the position,
// a state-condition breakpoint, a divergence against a changed graph file,
// forks that take the other branch or wait for a typed output, and the
// JSON editor refusing invalid text. Screenshots go to <build>/screenshots/.
#include "models/JsonTreeModel.h"
#include "models/ReplayStepsModel.h"
#include "protocol/Framing.h"
#include "widgets/GraphCanvas.h"
#include "widgets/JsonStateEditor.h"
#include "widgets/ReplayBreakpointsPanel.h"
#include "widgets/ReplayDebuggerView.h"
#include "widgets/ReplayForkPanel.h"
#include "widgets/StatePanel.h"

#include "../runtime/ReplaySupport.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>

using namespace nexus;
using namespace nexus::runtime;
using namespace replaytest;
using widgets::ReplayDebuggerView;

namespace {

const std::vector<std::string> kRetryPath = {"retrieve", "grade", "rewrite_query",
                                             "retrieve", "grade", "generate"};

const QString kLibrary = QStringLiteral(NEXUS_SOURCE_DIR "/resources/graphs");

void screenshot(QWidget& w, const char* name)
{
    QCoreApplication::processEvents(); // pending layouts (a prompt shown or hidden)
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/") + QLatin1String(name) +
                         QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
}

RecordedRun retryRun()
{
    return firstRun(sample("rag_pipeline"), [](const RecordedRun& r) {
        return r.result.status == RunStatus::Completed && r.result.path == kRetryPath;
    });
}

RecordedRun billingRun()
{
    return firstRun(sample("support_triage"), [](const RecordedRun& r) {
        return r.result.status == RunStatus::Completed &&
               r.result.path ==
                   std::vector<std::string>{"classify", "billing_specialist", "send_reply"};
    });
}

void writeJson(const QString& path, const json& document)
{
    writeFile(path.toStdString(), document.dump(2));
}

// Shown and focused, so that the debugger's shortcuts reach it.
void showActive(ReplayDebuggerView& view)
{
    view.resize(1440, 900);
    view.show();
    view.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    view.stepsView()->setFocus();
    QTRY_VERIFY(view.stepsView()->hasFocus());
}

void selectRow(ReplayDebuggerView& view, int row)
{
    view.stepsView()->selectionModel()->setCurrentIndex(
        view.stepsModel()->index(row, models::ReplayStepsModel::NodeColumn),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

std::vector<int> rowsWithBreakpoints(const ReplayDebuggerView& view)
{
    std::vector<int> rows;
    for (int row = 0; row < view.stepsModel()->rowCount(); ++row)
        if (view.stepsModel()->index(row, 0).data(models::ReplayStepsModel::BreakpointRole).toInt())
            rows.push_back(row);
    return rows;
}

// The forkCreated signal's arguments.
struct Created
{
    int count = 0;
    QString origin;
    QString fork;
    std::vector<std::string> records;
};

void watch(ReplayDebuggerView& view, Created& created)
{
    QObject::connect(&view, &ReplayDebuggerView::forkCreated, &view,
                     [&created](const QString& origin, const QString& fork,
                                const std::vector<std::string>& records) {
                         ++created.count;
                         created.origin = origin;
                         created.fork = fork;
                         created.records = records;
                     });
}

std::vector<ds::DashStreamMessage> decodeAll(const std::vector<std::string>& records)
{
    std::vector<ds::DashStreamMessage> messages;
    for (const std::string& record : records) {
        ds::DashStreamMessage message;
        if (!protocol::decodeRecord(record, message))
            qFatal("a fork record does not decode");
        messages.push_back(message);
    }
    return messages;
}

std::string graphStartAttribute(const std::vector<ds::DashStreamMessage>& messages,
                                const std::string& key)
{
    for (const auto& message : messages)
        if (message.has_event() && message.event().event_type() == ds::EVENT_TYPE_GRAPH_START) {
            const auto& attributes = message.event().attributes();
            const auto it = attributes.find(key);
            return it == attributes.end() ? std::string() : it->second.string_value();
        }
    return {};
}

// support_triage with tech_specialist reduced to its description: no script.
json triageWithoutTechScript()
{
    json doc = sampleJson("support_triage");
    for (json& node : doc["nodes"])
        if (node["name"] == "tech_specialist")
            node = json{{"name", "tech_specialist"},
                        {"type", "llm"},
                        {"description", "Drafts a technical answer"},
                        {"output_fields", {"reply"}}};
    return doc;
}

QString withCategory(const QString& text, const char* from, const char* to)
{
    QString edited = text;
    edited.replace(QStringLiteral("\"category\": \"%1\"").arg(QLatin1String(from)),
                   QStringLiteral("\"category\": \"%1\"").arg(QLatin1String(to)));
    return edited;
}

} // namespace

class TestReplayDebugger : public QObject
{
    Q_OBJECT
private slots:
    void aSeededRunReplaysVerified()
    {
        const RecordedRun run = retryRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("rag retry"));
        QCOMPARE(view.stepCount(), kRetryPath.size());
        QCOMPARE(view.position(), std::size_t(0));
        QCOMPARE(view.routingSource(), ReplayDebuggerView::RoutingSource::Library);
        QVERIFY2(view.routingText().contains(QStringLiteral("rag_pipeline.json")),
                 qPrintable(view.routingText()));
        QCOMPARE(view.routingBox()->currentText(), QStringLiteral("Library: rag_pipeline.json"));
        const QString summary = view.summaryText();
        QVERIFY2(summary.contains(QStringLiteral("6 steps")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("6 verified, 0 mismatched, 0 unverified")),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("no divergence")), qPrintable(summary));
        QVERIFY(view.firstDivergenceButton()->isHidden());
        QVERIFY(view.titleText().contains(QString::fromStdString(run.threadId)));
        QCOMPARE(view.statePanel()->headerText(),
                 QStringLiteral("Initial state \u00b7 position 0"));

        // The recorded graph alone cannot check the conditional branches.
        view.checkRoutingAgainstRecording();
        QVERIFY(view.routingText().contains(QStringLiteral("cannot be checked")));
        QCOMPARE(view.routingBox()->currentText(), QStringLiteral("Recorded graph"));

        view.clear();
        QCOMPARE(view.stepCount(), std::size_t(0));
        QVERIFY(!view.stepAction()->isEnabled());
    }

    void aHashMismatchIsCountedAndStopsContinue()
    {
        const RecordedRun run = retryRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(replaytest::withBadHash(run.messages, 3), QStringLiteral("damaged"));
        QVERIFY2(view.summaryText().contains(QStringLiteral("5 verified, 1 mismatched")),
                 qPrintable(view.summaryText()));
        view.continueForward();
        QCOMPARE(view.position(), std::size_t(3));
        QVERIFY2(view.statusText().contains(QStringLiteral("hash mismatch")),
                 qPrintable(view.statusText()));
        QVERIFY(view.statePanel()->headerIsWarning());
        view.continueForward();
        QCOMPARE(view.position(), kRetryPath.size());
    }

    void keysStepAndContinue()
    {
        const RecordedRun run = retryRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("rag retry"));
        showActive(view);

        QTest::keyClick(&view, Qt::Key_F10);
        QCOMPARE(view.position(), std::size_t(1));
        QVERIFY(view.statePanel()->headerText().startsWith(
            QStringLiteral("State after step 1 (retrieve) \u00b7 verified")));
        QTest::keyClick(&view, Qt::Key_F10);
        QCOMPARE(view.position(), std::size_t(2));
        QTest::keyClick(&view, Qt::Key_F10, Qt::ShiftModifier);
        QCOMPARE(view.position(), std::size_t(1));
        QTest::keyClick(&view, Qt::Key_F10, Qt::ShiftModifier);
        QTest::keyClick(&view, Qt::Key_F10, Qt::ShiftModifier); // nothing before 0
        QCOMPARE(view.position(), std::size_t(0));

        // F9 on the second grade: a breakpoint before every grade.
        selectRow(view, 4);
        QTest::keyClick(&view, Qt::Key_F9);
        QCOMPARE(rowsWithBreakpoints(view), (std::vector<int>{1, 4}));
        QCOMPARE(view.breakpointsPanel()->list()->topLevelItemCount(), 1);

        QTest::keyClick(&view, Qt::Key_F5);
        QCOMPARE(view.position(), std::size_t(1)); // grade is about to run
        QVERIFY2(view.statusText().contains(QStringLiteral("before grade")),
                 qPrintable(view.statusText()));
        QTest::keyClick(&view, Qt::Key_F5);
        QCOMPARE(view.position(), std::size_t(4));
        QTest::keyClick(&view, Qt::Key_F5);
        QCOMPARE(view.position(), kRetryPath.size());
        QVERIFY(!view.continueAction()->isEnabled());

        // Run to cursor stops at the breakpoint on the way, then gets there.
        QTest::keyClick(&view, Qt::Key_F5, Qt::ControlModifier | Qt::ShiftModifier); // restart
        QCOMPARE(view.position(), std::size_t(0));
        selectRow(view, 3);
        QTest::keyClick(&view, Qt::Key_F10, Qt::ControlModifier);
        QCOMPARE(view.position(), std::size_t(1));
        QTest::keyClick(&view, Qt::Key_F10, Qt::ControlModifier);
        QCOMPARE(view.position(), std::size_t(3));
        QCOMPARE(view.stepsModel()->nextRow(), 3);

        // F9 on a grade again removes it: F5 runs to the end.
        selectRow(view, 1);
        QTest::keyClick(&view, Qt::Key_F9);
        QCOMPARE(rowsWithBreakpoints(view), std::vector<int>{});
        QTest::keyClick(&view, Qt::Key_F5);
        QCOMPARE(view.position(), kRetryPath.size());

        // Every control says its shortcut.
        QVERIFY(view.stepAction()->toolTip().contains(QStringLiteral("F10")));
        QVERIFY(view.stepBackAction()->toolTip().contains(QStringLiteral("Shift+F10")));
        QVERIFY(view.runToCursorAction()->toolTip().contains(QStringLiteral("Ctrl+F10")));
        QVERIFY(view.continueAction()->toolTip().contains(QStringLiteral("F5")));
        QVERIFY(view.toggleBreakpointAction()->toolTip().contains(QStringLiteral("F9")));
    }

    void aStateConditionBreakpointStopsThere()
    {
        const RecordedRun run = retryRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("rag retry"));
        showActive(view);
        widgets::ReplayBreakpointsPanel* panel = view.breakpointsPanel();
        view.sideTabs()->setCurrentWidget(panel);
        panel->kindBox()->setCurrentIndex(
            panel->kindBox()->findData(widgets::ReplayBreakpointsPanel::ConditionKind));
        QVERIFY(panel->conditionEdit()->isVisible());

        // Typed char by char: invalid on the way, valid at the end.
        QTest::keyClicks(panel->conditionEdit(),
                         QStringLiteral(R"({"path": "/attempts", "op": ">)"));
        QVERIFY(!panel->conditionError().isEmpty());
        QVERIFY(!panel->addButton()->isEnabled());
        QTest::keyClicks(panel->conditionEdit(), QStringLiteral(R"(=", "value": 2})"));
        QVERIFY2(panel->conditionError().isEmpty(), qPrintable(panel->conditionError()));
        QTest::mouseClick(panel->addButton(), Qt::LeftButton);
        QCOMPARE(panel->list()->topLevelItemCount(), 1);
        // retrieve counts the attempts: the second retrieve makes it 2 (positions 4 to 6).
        QCOMPARE(panel->list()->topLevelItem(0)->text(2), QStringLiteral("3 positions"));

        view.stepsView()->setFocus();
        QTest::keyClick(&view, Qt::Key_F5);
        const std::size_t secondRetrieve = 4; // after kRetryPath[3]
        QCOMPARE(view.position(), secondRetrieve);
        QVERIFY2(view.statusText().contains(QStringLiteral("when")), qPrintable(view.statusText()));
        QVERIFY(view.statePanel()->treeModel()->indexForPath("/attempts").isValid());
        view.sideTabs()->setCurrentWidget(panel);
        screenshot(view, "debugger-breakpoints");

        // Disabled, it no longer stops.
        QTest::keyClick(&view, Qt::Key_F5, Qt::ControlModifier | Qt::ShiftModifier);
        panel->list()->topLevelItem(0)->setCheckState(0, Qt::Unchecked);
        QTest::keyClick(&view, Qt::Key_F5);
        QCOMPARE(view.position(), kRetryPath.size());
    }

    void aChangedGraphFileShowsTheDivergence()
    {
        QTemporaryDir dir;
        const RecordedRun run = retryRun();
        // The "relevant" route inverted: at the first grade (not relevant,
        // the run retried) the graph goes straight to generate.
        json doc = sampleJson("rag_pipeline");
        doc["version"] = "2.0.0";
        for (json& edge : doc["edges"])
            if (edge.contains("routes"))
                for (json& route : edge["routes"])
                    if (route["label"] == "relevant")
                        route["when"]["value"] = false;
        const QString changed = dir.filePath(QStringLiteral("rag_inverted.json"));
        writeJson(changed, doc);

        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("rag retry"));
        showActive(view);
        QVERIFY(view.checkRoutingAgainstFile(changed));
        QCOMPARE(view.routingSource(), ReplayDebuggerView::RoutingSource::File);
        QCOMPARE(view.routingBox()->currentText(), QStringLiteral("File: rag_inverted.json"));
        QVERIFY(view.summaryText().contains(QStringLiteral("divergence")));
        QVERIFY(!view.summaryText().contains(QStringLiteral("no divergence")));
        QVERIFY(view.firstDivergenceButton()->isVisible());
        QCOMPARE(view.firstDivergenceButton()->text(),
                 QStringLiteral("First divergence: step 2 (grade) \u2192"));

        // Continue stops right after the diverging step.
        QTest::keyClick(&view, Qt::Key_F5);
        QCOMPARE(view.position(), std::size_t(2));
        QVERIFY2(view.statusText().contains(QStringLiteral("divergence")),
                 qPrintable(view.statusText()));
        QTest::keyClick(&view, Qt::Key_F5, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(view.position(), std::size_t(0));

        QTest::mouseClick(view.firstDivergenceButton(), Qt::LeftButton);
        QCOMPARE(view.position(), std::size_t(2));
        const QModelIndex route =
            view.stepsModel()->index(1, models::ReplayStepsModel::RouteColumn);
        QCOMPARE(route.data().toString(),
                 QStringLiteral("diverges: graph \u2192 generate, run \u2192 rewrite_query"));
        QCOMPARE(view.stepsView()->currentIndex().row(), 1);
        screenshot(view, "debugger-divergence");

        // A file that is not a graph is refused and changes nothing.
        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        writeFile(broken.toStdString(), "{\"format\": \"nexus-graph/1\", \"nodes\": [");
        QVERIFY(!view.checkRoutingAgainstFile(broken));
        QCOMPARE(view.routingSource(), ReplayDebuggerView::RoutingSource::File);
        QVERIFY(view.statusText().contains(QStringLiteral("broken.json")));
    }

    void aForkWithAnEditedStateTakesTheOtherBranch()
    {
        const RecordedRun run = billingRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("billing"));
        showActive(view);
        Created created;
        watch(view, created);

        QTest::keyClick(&view, Qt::Key_F10); // after classify
        QVERIFY(view.forkAction()->isEnabled());
        view.forkAction()->trigger();
        widgets::ReplayForkPanel* fork = view.forkPanel();
        QCOMPARE(view.sideTabs()->currentWidget(), fork);
        widgets::JsonStateEditor* editor = fork->stateEditor();
        QVERIFY(editor->isValid());
        QVERIFY(editor->text().contains(QStringLiteral("\"category\": \"billing\"")));

        editor->textEdit()->setPlainText(withCategory(editor->text(), "billing", "technical"));
        QVERIFY(editor->isValid());
        QVERIFY2(editor->changeSummary().contains(QStringLiteral("~/category")),
                 qPrintable(editor->changeSummary()));
        QVERIFY(fork->runButton()->isEnabled());
        screenshot(view, "debugger-fork-editor");
        QTest::mouseClick(fork->runButton(), Qt::LeftButton);

        QCOMPARE(created.count, 1);
        QCOMPARE(fork->pathLines(),
                 (QStringList{QStringLiteral("tech_specialist \u00b7 visit 1 \u00b7 script"),
                              QStringLiteral("send_reply \u00b7 visit 1 \u00b7 script")}));
        QCOMPARE(created.origin, QString::fromStdString(run.threadId));
        QCOMPARE(created.fork, QString::fromStdString(run.threadId + "~fork1"));
        const auto messages = decodeAll(created.records);
        QVERIFY(!messages.empty());
        QCOMPARE(graphStartAttribute(messages, "forked_from_thread"), run.threadId);
        QCOMPARE(graphStartAttribute(messages, "forked_from_step"), std::string("1"));
        // The fork is a trace of its own: it replays, through tech_specialist.
        const Recording forked = readRecording(messages);
        QCOMPARE(forked.threadId, created.fork.toStdString());
        QCOMPARE(forked.executions.front().node, std::string("tech_specialist"));
        QVERIFY(!fork->messageIsError());

        // A second fork from the same trace gets the next number.
        QTest::mouseClick(fork->runButton(), Qt::LeftButton);
        QCOMPARE(created.count, 2);
        QCOMPARE(created.fork, QString::fromStdString(run.threadId + "~fork2"));
    }

    void aNodeWithoutOutputWaitsForATypedOne()
    {
        QTemporaryDir library;
        writeJson(library.filePath(QStringLiteral("support_triage.json")),
                  triageWithoutTechScript());
        const RecordedRun run = billingRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(library.path());
        view.setTrace(run.messages, QStringLiteral("billing"));
        QCOMPARE(view.routingSource(), ReplayDebuggerView::RoutingSource::Library);
        showActive(view);
        Created created;
        watch(view, created);

        QTest::keyClick(&view, Qt::Key_F10);
        view.forkAction()->trigger();
        widgets::ReplayForkPanel* fork = view.forkPanel();
        widgets::JsonStateEditor* editor = fork->stateEditor();
        editor->textEdit()->setPlainText(withCategory(editor->text(), "billing", "technical"));
        QTest::mouseClick(fork->runButton(), Qt::LeftButton);

        QVERIFY(fork->isWaitingForOutput());
        QCOMPARE(created.count, 0);
        QVERIFY2(fork->promptText().startsWith(QStringLiteral("tech_specialist (visit 1)")),
                 qPrintable(fork->promptText()));
        QVERIFY2(fork->promptText().contains(QStringLiteral("output fields: reply")),
                 qPrintable(fork->promptText()));
        QVERIFY(fork->messageText().contains(QStringLiteral("tech_specialist")));

        // Typed into the output editor: not an object yet, then the output.
        widgets::JsonStateEditor* output = fork->outputEditor();
        output->textEdit()->selectAll();
        QTest::keyClicks(output->textEdit(), QStringLiteral("[\"reply\"]"));
        QVERIFY(!output->isValid());
        QVERIFY(!fork->continueButton()->isEnabled());
        output->textEdit()->selectAll();
        QTest::keyClicks(output->textEdit(),
                         QStringLiteral(R"({"reply": "Restarted the webhook worker."})"));
        QVERIFY2(output->isValid(), qPrintable(output->errorText()));
        QVERIFY(fork->continueButton()->isEnabled());
        screenshot(view, "debugger-needs-output");

        QTest::mouseClick(fork->continueButton(), Qt::LeftButton);
        QVERIFY2(!fork->isWaitingForOutput(),
                 qPrintable(fork->messageText() + QLatin1Char('\n') + fork->promptText()));
        QCOMPARE(created.count, 1);
        QCOMPARE(fork->pathLines(),
                 (QStringList{QStringLiteral("tech_specialist \u00b7 visit 1 \u00b7 typed"),
                              QStringLiteral("send_reply \u00b7 visit 1 \u00b7 script")}));
        QVERIFY(fork->promptText().isEmpty());
        const Recording forked = readRecording(decodeAll(created.records));
        QCOMPARE(forked.finalState->at("reply").get<std::string>(),
                 std::string("Restarted the webhook worker."));
        screenshot(view, "debugger-fork-done");
    }

    void invalidJsonDisablesRunFork()
    {
        const RecordedRun run = billingRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("billing"));
        showActive(view);
        QTest::keyClick(&view, Qt::Key_F10);
        view.forkAction()->trigger();
        widgets::ReplayForkPanel* fork = view.forkPanel();
        widgets::JsonStateEditor* editor = fork->stateEditor();

        editor->textEdit()->setPlainText(QStringLiteral("{\n  \"category\": \"billing\",\n"
                                                        "  \"urgency\": hig\n}"));
        QVERIFY(!editor->isValid());
        QVERIFY(!fork->runButton()->isEnabled());
        QCOMPARE(editor->errorLine(), 3);
        QVERIFY2(editor->statusText().startsWith(QStringLiteral("Line 3, column ")),
                 qPrintable(editor->statusText()));
        QVERIFY(!editor->textEdit()->extraSelections().isEmpty()); // the line is marked
        QVERIFY(!editor->formatAction()->isEnabled());
        screenshot(view, "debugger-fork-invalid");

        editor->textEdit()->setPlainText(QStringLiteral("[1, 2]"));
        QVERIFY(!editor->isValid());
        QVERIFY(editor->statusText().contains(QStringLiteral("must be a JSON object")));
        QVERIFY(!fork->runButton()->isEnabled());

        editor->textEdit()->setPlainText(QStringLiteral("{\"category\":\"account\"}"));
        QVERIFY(editor->isValid());
        QVERIFY(fork->runButton()->isEnabled());
        QVERIFY(editor->changeSummary().contains(QStringLiteral("removed")));
        editor->format();
        QCOMPARE(editor->text(), QStringLiteral("{\n  \"category\": \"account\"\n}"));
        editor->reset();
        QVERIFY(editor->changes().empty());
        QVERIFY(editor->text().contains(QStringLiteral("\"category\": \"billing\"")));
    }

    void failuresAreShownNotCrashed()
    {
        const RecordedRun run = billingRun();
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("billing"));
        Created created;
        watch(view, created);
        // The recorded graph has no conditions: a conditional edge cannot be routed.
        view.checkRoutingAgainstRecording();
        view.step();
        view.forkFromHere();
        widgets::ReplayForkPanel* fork = view.forkPanel();
        QVERIFY(fork->runButton()->isEnabled());
        QVERIFY(!fork->runFork());
        QVERIFY(fork->messageIsError());
        QVERIFY2(fork->messageText().contains(QStringLiteral("graph file that defines the "
                                                             "conditions")),
                 qPrintable(fork->messageText()));
        QCOMPARE(created.count, 0);

        // A trace that is not a run at all: nothing to replay, nothing to fork.
        std::vector<ds::DashStreamMessage> junk(1);
        view.setTrace(junk, QStringLiteral("junk"));
        QCOMPARE(view.stepCount(), std::size_t(0));
        QVERIFY(!view.stepAction()->isEnabled());
        view.step();
        view.continueForward();
        view.toggleBreakpoint();
        QCOMPARE(view.position(), std::size_t(0));
    }

    void forkIsRefusedBetweenParallelBranches()
    {
        const RecordedRun run = firstRun(sample("research_team"), [](const RecordedRun& r) {
            return r.result.status == RunStatus::Completed;
        });
        ReplayDebuggerView view;
        view.setGraphLibrary(kLibrary);
        view.setTrace(run.messages, QStringLiteral("research"));
        // plan, then three researchers in one super-step.
        view.seek(2);
        QVERIFY(!view.forkAction()->isEnabled());
        QVERIFY2(view.forkAction()->toolTip().contains(QStringLiteral("parallel")),
                 qPrintable(view.forkAction()->toolTip()));
        view.seek(1);
        QVERIFY(view.forkAction()->isEnabled());
    }
};

QTEST_MAIN(TestReplayDebugger)
#include "tst_widgets_replay_debugger.moc"

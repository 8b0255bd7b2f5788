// The knowledge review widgets on entries like the sandbox writes: each kind
// with its fields (prompt diff coloured word by word, pitfall severity,
// success confidence and traces that open with one click, code in
// monospace), hostile strings shown as typed, the empty state; the review
// panel (reject needs a comment, approve sends the comment, keys in the
// comment field, disabled with a reason, banners); the status chips.
// Saves screenshots to <build>/screenshots/knowledge-*.png.
#include "widgets/KnowledgeCountsBar.h"
#include "widgets/KnowledgeEntryView.h"
#include "widgets/PromptDiffView.h"
#include "widgets/ReviewPanel.h"

#include "KnowledgeEntries.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextEdit>
#include <QVBoxLayout>

using nexus::widgets::KnowledgeCountsBar;
using nexus::widgets::KnowledgeEntryView;
using nexus::widgets::PromptDiffView;
using nexus::widgets::ReviewPanel;
using Field = KnowledgeEntryView::Field;
namespace pb = ::nexus::v1;
namespace kt = nexus::testing;

namespace {

void save(QWidget& w, const char* name)
{
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QApplication::processEvents(); // pending layout requests, as a real frame would
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/knowledge-") +
                         QLatin1String(name) + QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

struct Marked
{
    QString struck;   // struck-through text
    QString deleted;  // text on the deleted background
    QString inserted; // text on the inserted background
    QString plain;    // text with no background
};

Marked marks(const QTextDocument* doc)
{
    Marked m;
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            const QTextCharFormat fmt = f.charFormat();
            const bool hasBackground = fmt.background().style() != Qt::NoBrush;
            if (fmt.fontStrikeOut())
                m.struck += f.text();
            if (hasBackground && fmt.background().color() == PromptDiffView::deletedBackground())
                m.deleted += f.text();
            else if (hasBackground &&
                     fmt.background().color() == PromptDiffView::insertedBackground())
                m.inserted += f.text();
            else if (!hasBackground)
                m.plain += f.text();
        }
    return m;
}

QString local(std::int64_t us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

// A review panel as the console leaves it for an approver on a pending entry.
void makeReviewable(ReviewPanel& panel)
{
    panel.setReviewable(true, {});
    panel.setEntryState(true, {});
}

} // namespace

class TestKnowledgeWidgets : public QObject
{
    Q_OBJECT

private slots:
    void emptyStateAsksForASelection()
    {
        KnowledgeEntryView view;
        view.resize(900, 600);
        QVERIFY(view.isEmptyState());
        auto* hint = view.findChild<QLabel*>(QStringLiteral("emptyState"));
        QVERIFY(hint && hint->isVisibleTo(&view));
        QCOMPARE(hint->text(), QStringLiteral("Select an entry to review it"));
        view.setEntry(kt::pitfallEntry(), kt::kKnowledgeNowUs);
        QVERIFY(!view.isEmptyState());
        view.clear();
        QVERIFY(view.isEmptyState());
        QVERIFY(!view.isFieldShown(Field::Title));
        save(view, "entry-empty");
    }

    void promptOptimizationSideBySide()
    {
        KnowledgeEntryView view;
        view.resize(1000, 680);
        const pb::KnowledgeEntry e = kt::promptEntry();
        view.setEntry(e, kt::kKnowledgeNowUs);
        QCOMPARE(view.kind(), pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION);
        QCOMPARE(view.entryId(), QStringLiteral("kb-0007"));
        QCOMPARE(view.fieldText(Field::Title),
                 QStringLiteral("rag_pipeline/generate: a clearer system prompt"));
        QCOMPARE(view.fieldText(Field::Kind), QStringLiteral("Prompt optimization"));
        QCOMPARE(view.fieldText(Field::Status), QStringLiteral("Pending"));
        QCOMPARE(view.fieldText(Field::Revision), QStringLiteral("revision 3"));
        QCOMPARE(view.fieldText(Field::Graph), QStringLiteral("rag_pipeline / generate"));
        QCOMPARE(view.fieldText(Field::Tenant), QStringLiteral("acme-prod"));
        QCOMPARE(view.fieldText(Field::FoundBy), QStringLiteral("dasher-use1-03"));
        QCOMPARE(view.fieldText(Field::Confidence), QStringLiteral("70 %"));
        QCOMPARE(view.fieldText(Field::Created),
                 QStringLiteral("3 h ago \u00B7 ") + local(e.created_us()));
        QCOMPARE(view.fieldText(Field::Updated),
                 QStringLiteral("4 min ago \u00B7 ") + local(e.updated_us()));
        QVERIFY(view.isFieldShown(Field::Summary));
        QCOMPARE(view.fieldText(Field::Improvement), QStringLiteral("+5.0 %"));
        QCOMPARE(view.fieldWidget(Field::Improvement)->palette().color(QPalette::WindowText),
                 QColor(0x1b, 0x7f, 0x3b));
        QCOMPARE(view.fieldText(Field::Measurement),
                 QStringLiteral("on quality_score \u00B7 412 samples"));
        QCOMPARE(view.fieldText(Field::Optimizer), QStringLiteral("MIPROv2"));
        QVERIFY(!view.isFieldShown(Field::Severity));
        QVERIFY(!view.isFieldShown(Field::Code));
        // Each pane shows its own prompt in full.
        QCOMPARE(view.originalPlainText(),
                 QString::fromStdString(e.prompt_optimization().original_prompt()));
        QCOMPARE(view.optimizedPlainText(),
                 QString::fromStdString(e.prompt_optimization().optimized_prompt()));
        QCOMPARE(view.traceButtons().size(), 2);
        save(view, "entry-prompt");
    }

    void promptDiffColoursTheChangedWords()
    {
        auto e = kt::promptEntry();
        e.mutable_prompt_optimization()->set_original_prompt(
            "Write a report from the findings and add every source.");
        e.mutable_prompt_optimization()->set_optimized_prompt(
            "Write a structured summary from the findings.");
        e.mutable_prompt_optimization()->set_measured_improvement(-0.025);
        KnowledgeEntryView view;
        view.setEntry(e, kt::kKnowledgeNowUs);

        // Which pane a space between a change and an equal word lands in is
        // the diff's choice; the words are not.
        const Marked left = marks(view.originalDocument());
        QCOMPARE(left.deleted.simplified(), QStringLiteral("report and add every source"));
        QCOMPARE(left.struck, left.deleted);
        QCOMPARE(left.inserted, QString());
        QCOMPARE(left.plain.simplified(), QStringLiteral("Write a from the findings."));
        const Marked right = marks(view.optimizedDocument());
        QCOMPARE(right.inserted.simplified(), QStringLiteral("structured summary"));
        QCOMPARE(right.struck, QString());
        QCOMPARE(right.deleted, QString());
        QCOMPARE(right.plain.simplified(), QStringLiteral("Write a from the findings."));
        QCOMPARE(view.fieldText(Field::DiffCounts), QStringLiteral("+2 words / \u22125 words"));
        QCOMPARE(view.fieldText(Field::Improvement), QStringLiteral("-2.5 %"));
        QCOMPARE(view.fieldWidget(Field::Improvement)->palette().color(QPalette::WindowText),
                 QColor(0xc6, 0x28, 0x28));
    }

    void promptPanesScrollTogether()
    {
        auto e = kt::promptEntry();
        QString longText;
        for (int i = 0; i < 120; ++i)
            longText += QStringLiteral("Line %1 of the instructions.\n").arg(i);
        e.mutable_prompt_optimization()->set_original_prompt(longText.toStdString());
        e.mutable_prompt_optimization()->set_optimized_prompt((longText + longText).toStdString());
        KnowledgeEntryView view;
        view.resize(900, 600);
        view.setEntry(e, kt::kKnowledgeNowUs);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QScrollBar* left = view.promptDiff()->originalPane()->verticalScrollBar();
        QScrollBar* right = view.promptDiff()->optimizedPane()->verticalScrollBar();
        QTRY_VERIFY2(
            left->maximum() > 0 && right->maximum() > left->maximum(),
            qPrintable(QStringLiteral("%1 %2").arg(left->maximum()).arg(right->maximum())));
        left->setValue(left->maximum());
        QCOMPARE(right->value(), right->maximum());
        right->setValue(right->maximum() / 2);
        QVERIFY(qAbs(left->value() - left->maximum() / 2) <= 1);
        // A live update of the same entry (a new revision) keeps the place.
        const int place = left->value();
        e.set_revision(e.revision() + 1);
        view.setEntry(e, kt::kKnowledgeNowUs);
        QCOMPARE(view.fieldText(Field::Revision), QStringLiteral("revision 4"));
        QCOMPARE(left->value(), place);
    }

    void pitfallShowsSeverityAndMitigation()
    {
        KnowledgeEntryView view;
        view.resize(900, 520);
        const pb::KnowledgeEntry e = kt::pitfallEntry();
        view.setEntry(e, kt::kKnowledgeNowUs);
        QCOMPARE(view.fieldText(Field::Kind), QStringLiteral("Pitfall"));
        QCOMPARE(view.fieldText(Field::Severity), QStringLiteral("High"));
        QVERIFY(
            view.fieldWidget(Field::Severity)->styleSheet().contains(QStringLiteral("#ea580c")));
        QCOMPARE(view.fieldText(Field::Description), QString::fromStdString(e.summary()));
        QCOMPARE(view.fieldText(Field::Mitigation),
                 QString::fromStdString(e.pitfall().mitigation()));
        QCOMPARE(view.fieldText(Field::FoundBy), QStringLiteral("dasher-euw1-02"));
        QCOMPARE(view.fieldText(Field::SourceInstances), QStringLiteral("dasher-euw1-02"));
        // The summary says what the description says: shown once.
        QVERIFY(!view.isFieldShown(Field::Summary));
        QVERIFY(view.isFieldShown(Field::Description));
        QVERIFY(!view.isFieldShown(Field::Improvement));
        save(view, "entry-pitfall");

        auto critical = e;
        critical.mutable_pitfall()->set_severity("critical");
        view.setEntry(critical, kt::kKnowledgeNowUs);
        QCOMPARE(view.fieldText(Field::Severity), QStringLiteral("Critical"));
        QVERIFY(
            view.fieldWidget(Field::Severity)->styleSheet().contains(QStringLiteral("#b91c1c")));
    }

    void successPatternOpensTracesWithOneClick()
    {
        KnowledgeEntryView view;
        view.resize(900, 520);
        view.setEntry(kt::successEntry(), kt::kKnowledgeNowUs);
        QCOMPARE(view.fieldText(Field::Kind), QStringLiteral("Success pattern"));
        QCOMPARE(view.fieldText(Field::Status), QStringLiteral("Approved"));
        QCOMPARE(view.fieldText(Field::Confidence), QStringLiteral("82 %"));
        QCOMPARE(view.findChild<QProgressBar*>(QStringLiteral("confidenceBar"))->value(), 82);
        QCOMPARE(view.fieldText(Field::Occurrences), QStringLiteral("14 runs"));
        QCOMPARE(view.fieldText(Field::SourceInstances),
                 QStringLiteral("dasher-use1-01, dasher-use1-04, dasher-euw1-08"));
        const QList<QAbstractButton*> traces = view.traceButtons();
        QCOMPARE(traces.size(), 3);
        QVERIFY(traces[1]->text().contains(QStringLiteral("thread-rag-1c0e55")));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy opened(&view, &KnowledgeEntryView::traceRequested);
        QTest::mouseClick(traces[1], Qt::LeftButton);
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), QStringLiteral("thread-rag-1c0e55"));
        save(view, "entry-success");

        // Another entry replaces the buttons; the old ones are gone.
        view.setEntry(kt::codeEntry(), kt::kKnowledgeNowUs);
        QCOMPARE(view.traceButtons().size(), 1);
    }

    void codePatternInMonospace()
    {
        KnowledgeEntryView view;
        view.resize(900, 560);
        const pb::KnowledgeEntry e = kt::codeEntry();
        view.setEntry(e, kt::kKnowledgeNowUs);
        QCOMPARE(view.fieldText(Field::Kind), QStringLiteral("Code pattern"));
        QCOMPARE(view.fieldText(Field::Status), QStringLiteral("Rejected"));
        QCOMPARE(view.fieldText(Field::Language), QStringLiteral("python"));
        QCOMPARE(view.fieldText(Field::UseCase),
                 QString::fromStdString(e.code_pattern().use_case()));
        QCOMPARE(view.fieldText(Field::Code), QString::fromStdString(e.code_pattern().code()));
        QPlainTextEdit* code = view.codeEditor();
        QVERIFY(code->isReadOnly());
        QCOMPARE(code->lineWrapMode(), QPlainTextEdit::NoWrap);
        QVERIFY(QFontInfo(code->font()).fixedPitch());
        const qreal space = QFontMetricsF(code->font()).horizontalAdvance(QLatin1Char(' '));
        QCOMPARE(code->tabStopDistance(), 4 * space);
        save(view, "entry-code");
    }

    void hostileStringsAreShownAsTyped()
    {
        const std::string bold = "<b>bold</b>";
        const std::string img = "<img src=x onerror=alert(1)>";
        const std::string link = "<a href=\"http://evil.example\">click</a> & more";
        auto e = kt::successEntry();
        e.set_title(bold);
        e.set_summary(img);
        e.set_graph_name(link);
        e.set_tenant_id("&amp; tenant");
        e.set_found_by(bold);
        e.mutable_success_pattern()->set_description(link);
        e.clear_source_instances();
        e.add_source_instances(img);
        e.clear_example_trace_ids();
        e.add_example_trace_ids("<i>t&1</i>");
        KnowledgeEntryView view;
        view.resize(900, 520);
        view.setEntry(e, kt::kKnowledgeNowUs);
        QCOMPARE(view.fieldText(Field::Title), QString::fromStdString(bold));
        QCOMPARE(view.fieldText(Field::Summary), QString::fromStdString(img));
        QCOMPARE(view.fieldText(Field::Graph), QString::fromStdString(link));
        QCOMPARE(view.fieldText(Field::Tenant), QStringLiteral("&amp; tenant"));
        QCOMPARE(view.fieldText(Field::Description), QString::fromStdString(link));
        QCOMPARE(view.fieldText(Field::SourceInstances), QString::fromStdString(img));
        for (QLabel* label : view.findChildren<QLabel*>())
            QVERIFY2(label->textFormat() == Qt::PlainText, qPrintable(label->text()));
        // '&' is not a mnemonic on the button; the click sends the id as it came.
        QCOMPARE(view.traceButtons().size(), 1);
        QVERIFY(view.traceButtons()[0]->text().endsWith(QStringLiteral("<i>t&&1</i>")));
        QSignalSpy opened(&view, &KnowledgeEntryView::traceRequested);
        view.traceButtons()[0]->click();
        QCOMPARE(opened.at(0).at(0).toString(), QStringLiteral("<i>t&1</i>"));
        save(view, "entry-hostile");

        auto prompt = kt::promptEntry();
        prompt.mutable_prompt_optimization()->set_original_prompt("Say <b>hi</b> & bye");
        prompt.mutable_prompt_optimization()->set_optimized_prompt(
            "Say <img src=x> <a href='y'>hi</a> & bye");
        view.setEntry(prompt, kt::kKnowledgeNowUs);
        QCOMPARE(view.originalPlainText(), QStringLiteral("Say <b>hi</b> & bye"));
        QCOMPARE(view.optimizedPlainText(),
                 QStringLiteral("Say <img src=x> <a href='y'>hi</a> & bye"));
        // In the exported HTML the markup is escaped, never live.
        QVERIFY(view.optimizedHtml().contains(QStringLiteral("img src=x&gt;")));
        QVERIFY(!view.optimizedHtml().contains(QStringLiteral("<img")));
        QVERIFY(!view.optimizedHtml().contains(QStringLiteral("<a href")));
        QVERIFY(!view.originalHtml().contains(QStringLiteral("<b>")));
    }

    void rejectWithoutACommentIsRefused()
    {
        ReviewPanel panel;
        makeReviewable(panel);
        panel.resize(700, 160);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy rejected(&panel, &ReviewPanel::rejectRequested);
        panel.requestReject();
        QCOMPARE(rejected.size(), 0);
        QCOMPARE(panel.hintText(), QStringLiteral("A rejection needs a comment"));
        QTRY_VERIFY(panel.commentEdit()->hasFocus());
        // Whitespace is no comment either.
        QTest::keyClicks(panel.commentEdit(), QStringLiteral("   "));
        QTest::mouseClick(panel.rejectButton(), Qt::LeftButton);
        QCOMPARE(rejected.size(), 0);
        save(panel, "panel-needs-comment");

        QTest::keyClicks(panel.commentEdit(), QStringLiteral("Cites a source that is not there"));
        QCOMPARE(panel.hintText(), QString());
        QTest::mouseClick(panel.rejectButton(), Qt::LeftButton);
        QCOMPARE(rejected.size(), 1);
        QCOMPARE(rejected.at(0).at(0).toString(),
                 QStringLiteral("Cites a source that is not there"));
    }

    void approveSendsTheComment()
    {
        ReviewPanel panel;
        makeReviewable(panel);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy approved(&panel, &ReviewPanel::approveRequested);
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(approved.size(), 1);
        QCOMPARE(approved.at(0).at(0).toString(), QString()); // approving needs no comment
        QTest::keyClicks(panel.commentEdit(), QStringLiteral("Checked on 20 held-out runs"));
        panel.requestApprove();
        QCOMPARE(approved.size(), 2);
        QCOMPARE(approved.at(1).at(0).toString(), QStringLiteral("Checked on 20 held-out runs"));
        panel.clearComment();
        QCOMPARE(panel.comment(), QString());
    }

    void keysInTheCommentField()
    {
        QWidget window;
        auto* layout = new QVBoxLayout(&window);
        auto* panel = new ReviewPanel(&window);
        layout->addWidget(panel);
        makeReviewable(*panel);
        // The console's A shortcut must not fire while a comment is typed.
        auto* approveKey = new QShortcut(QKeySequence(Qt::Key_A), &window);
        QSignalSpy shortcut(approveKey, &QShortcut::activated);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        panel->focusComment();
        QTRY_VERIFY(panel->commentEdit()->hasFocus());
        QSignalSpy rejected(panel, &ReviewPanel::rejectRequested);
        QSignalSpy escaped(panel, &ReviewPanel::commentEscaped);
        QTest::keyClick(panel->commentEdit(), Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(rejected.size(), 0); // no comment yet
        QTest::keyClicks(panel->commentEdit(), QStringLiteral("a hallucinated API"));
        QCOMPARE(shortcut.size(), 0);
        QCOMPARE(panel->comment(), QStringLiteral("a hallucinated API"));
        QTest::keyClick(panel->commentEdit(), Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(rejected.size(), 1);
        QCOMPARE(rejected.at(0).at(0).toString(), QStringLiteral("a hallucinated API"));
        QTest::keyClick(panel->commentEdit(), Qt::Key_Escape);
        QCOMPARE(escaped.size(), 1);
        QVERIFY(!panel->commentEdit()->hasFocus());
        QCOMPARE(panel->comment(), QStringLiteral("a hallucinated API")); // kept
    }

    void disabledWithAReason()
    {
        ReviewPanel panel;
        panel.resize(700, 150);
        const QString viewer = QStringLiteral("Your role is viewer: approving or rejecting needs "
                                              "the approver role.");
        panel.setReviewable(false, viewer);
        panel.setEntryState(true, {});
        QVERIFY(!panel.canReview());
        QVERIFY(!panel.approveButton()->isEnabled());
        QVERIFY(!panel.rejectButton()->isEnabled());
        QCOMPARE(panel.reasonText(), viewer);
        QVERIFY(panel.approveButton()->toolTip().contains(viewer.toHtmlEscaped()));
        QSignalSpy approved(&panel, &ReviewPanel::approveRequested);
        panel.requestApprove();
        QCOMPARE(approved.size(), 0);
        save(panel, "panel-viewer");

        panel.setReviewable(true, {});
        panel.setEntryState(false, QStringLiteral("Approved by bob 3 min ago"));
        QVERIFY(!panel.approveButton()->isEnabled());
        QCOMPARE(panel.reasonText(), QStringLiteral("Approved by bob 3 min ago"));
        panel.setEntryState(true, {});
        QVERIFY(panel.approveButton()->isEnabled());
        QCOMPARE(panel.reasonText(), QString());
        panel.setBusy(true);
        QVERIFY(!panel.approveButton()->isEnabled());
        QCOMPARE(panel.reasonText(), QStringLiteral("Sending\u2026"));
        panel.requestApprove();
        QCOMPARE(approved.size(), 0);
        panel.setBusy(false);
        QVERIFY(panel.canReview());
    }

    void bannersShowPlainText()
    {
        ReviewPanel panel;
        makeReviewable(panel);
        panel.resize(700, 200);
        QCOMPARE(panel.banner(), ReviewPanel::Banner::None);
        const QString conflict = QStringLiteral("bob rejected revision 3 first, 2 min ago: "
                                                "\"<b>cites a source that is not there</b>\". "
                                                "Your review was not applied.");
        panel.showConflict(conflict);
        QCOMPARE(panel.banner(), ReviewPanel::Banner::Conflict);
        QCOMPARE(panel.bannerText(), conflict);
        for (QLabel* label : panel.findChildren<QLabel*>())
            QCOMPARE(label->textFormat(), Qt::PlainText);
        save(panel, "panel-conflict");
        panel.showPendingRetry(QStringLiteral("Nexus is unreachable: your approval is kept and "
                                              "will be retried (attempt 2)."));
        QCOMPARE(panel.banner(), ReviewPanel::Banner::PendingRetry);
        save(panel, "panel-pending-retry");
        panel.showError(QStringLiteral("PERMISSION_DENIED: approver role required"));
        QCOMPARE(panel.banner(), ReviewPanel::Banner::Error);
        QCOMPARE(panel.bannerText(), QStringLiteral("PERMISSION_DENIED: approver role required"));
        save(panel, "panel-error");
        panel.clearBanner();
        QCOMPARE(panel.banner(), ReviewPanel::Banner::None);
        QCOMPARE(panel.bannerText(), QString());
    }

    void countsBarChips()
    {
        KnowledgeCountsBar bar;
        bar.resize(640, 36);
        QCOMPARE(bar.chipText(QStringLiteral("pending")), QStringLiteral("Pending 0"));
        bar.setCounts({{QStringLiteral("pending"), 12},
                       {QStringLiteral("approved"), 3},
                       {QStringLiteral("rejected"), 1}});
        QCOMPARE(bar.chipText(QString()), QStringLiteral("All 16"));
        QCOMPARE(bar.chipText(QStringLiteral("pending")), QStringLiteral("Pending 12"));
        QCOMPARE(bar.chipText(QStringLiteral("approved")), QStringLiteral("Approved 3"));
        QCOMPARE(bar.chipText(QStringLiteral("rejected")), QStringLiteral("Rejected 1"));
        QCOMPARE(bar.chipText(QStringLiteral("superseded")), QStringLiteral("Superseded 0"));
        QCOMPARE(bar.activeStatus(), QString());

        QSignalSpy clicked(&bar, &KnowledgeCountsBar::statusClicked);
        bar.setActiveStatus(QStringLiteral("pending"));
        QCOMPARE(clicked.size(), 0);
        QCOMPARE(bar.activeStatus(), QStringLiteral("pending"));
        bar.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bar));
        QTest::mouseClick(bar.chip(QStringLiteral("rejected")), Qt::LeftButton);
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.at(0).at(0).toString(), QStringLiteral("rejected"));
        QTest::mouseClick(bar.chip(QString()), Qt::LeftButton);
        QCOMPARE(clicked.at(1).at(0).toString(), QString());
        bar.setActiveStatus(QStringLiteral("pending"));
        save(bar, "counts-bar");
    }

    // The three together as the console lays them out, for a person to look at.
    void reviewPageScreenshot()
    {
        QWidget page;
        auto* column = new QVBoxLayout(&page);
        auto* bar = new KnowledgeCountsBar(&page);
        auto* view = new KnowledgeEntryView(&page);
        auto* panel = new ReviewPanel(&page);
        column->addWidget(bar);
        column->addWidget(view, 1);
        column->addWidget(panel);
        bar->setCounts({{QStringLiteral("pending"), 12}, {QStringLiteral("approved"), 3}});
        bar->setActiveStatus(QStringLiteral("pending"));
        view->setEntry(kt::promptEntry(), kt::kKnowledgeNowUs);
        makeReviewable(*panel);
        page.resize(1100, 780);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        save(page, "review-page");
    }
};

QTEST_MAIN(TestKnowledgeWidgets)
#include "tst_widgets_knowledge.moc"

#include "widgets/ReviewPanel.h"

#include "widgets/KnowledgeBadges.h"
#include "widgets/ThemeStyle.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace nexus::widgets {

ReviewPanel::ReviewPanel(QWidget* parent) : QWidget(parent)
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(12, 6, 12, 8);
    column->setSpacing(6);

    bannerFrame_ = new QFrame(this);
    bannerFrame_->setObjectName(QStringLiteral("reviewBanner"));
    auto* bannerRow = new QHBoxLayout(bannerFrame_);
    bannerRow->setContentsMargins(10, 6, 4, 6);
    bannerRow->setSpacing(8);
    bannerCaption_ = new QLabel(bannerFrame_);
    bannerCaption_->setTextFormat(Qt::PlainText);
    QFont bold = bannerCaption_->font();
    bold.setBold(true);
    bannerCaption_->setFont(bold);
    bannerCaption_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
    bannerText_ = knowledgeui::makeValueLabel(bannerFrame_, QStringLiteral("bannerText"));
    bannerClose_ = new QToolButton(bannerFrame_);
    bannerClose_->setText(QStringLiteral("\u2715"));
    bannerClose_->setAutoRaise(true);
    bannerClose_->setToolTip(tr("Dismiss"));
    connect(bannerClose_, &QToolButton::clicked, this, &ReviewPanel::clearBanner);
    bannerRow->addWidget(bannerCaption_, 0, Qt::AlignTop);
    bannerRow->addWidget(bannerText_, 1, Qt::AlignTop);
    bannerRow->addWidget(bannerClose_, 0, Qt::AlignTop);
    bannerFrame_->hide();
    column->addWidget(bannerFrame_);

    comment_ = new QPlainTextEdit(this);
    comment_->setObjectName(QStringLiteral("reviewComment"));
    comment_->setAccessibleName(tr("Review comment"));
    comment_->setPlaceholderText(tr("Comment (required to reject)"));
    comment_->setTabChangesFocus(true);
    comment_->setToolTip(tr("Ctrl+Enter rejects with this comment; Esc returns to the queue"));
    const int line = comment_->fontMetrics().lineSpacing();
    comment_->setFixedHeight(3 * line + 14);
    comment_->installEventFilter(this);
    connect(comment_, &QPlainTextEdit::textChanged, this, [this] {
        if (!comment().isEmpty())
            setHint({});
    });
    column->addWidget(comment_);

    hint_ = new QLabel(this);
    hint_->setObjectName(QStringLiteral("reviewHint"));
    hint_->setTextFormat(Qt::PlainText);
    setThemedStyleSheet(hint_, QStringLiteral("QLabel { color: #b3261e; }"));
    hint_->hide();
    column->addWidget(hint_);

    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(8);
    approve_ = new QPushButton(tr("Approve (A)"), this);
    approve_->setObjectName(QStringLiteral("approveButton"));
    reject_ = new QPushButton(tr("Reject (R)"), this);
    reject_->setObjectName(QStringLiteral("rejectButton"));
    // Reachable by Tab, but a click leaves the focus where it was (the
    // queue), so A and R keep working after a click.
    approve_->setFocusPolicy(Qt::TabFocus);
    reject_->setFocusPolicy(Qt::TabFocus);
    connect(approve_, &QPushButton::clicked, this, &ReviewPanel::requestApprove);
    connect(reject_, &QPushButton::clicked, this, &ReviewPanel::requestReject);
    reason_ = new QLabel(this);
    reason_->setObjectName(QStringLiteral("reviewReason"));
    reason_->setTextFormat(Qt::PlainText);
    reason_->setWordWrap(true);
    setThemedStyleSheet(reason_, QStringLiteral("QLabel { color: #5f6368; font-style: italic; }"));
    for (QPushButton* button : {approve_, reject_}) {
        button->setMinimumWidth(button->sizeHint().width() + 24);
        buttons->addWidget(button);
    }
    buttons->addWidget(reason_, 1);
    buttons->addStretch();
    column->addLayout(buttons);
    column->addStretch();
    refresh();
}

void ReviewPanel::setReviewable(bool allowed, const QString& reasonWhenNot)
{
    allowed_ = allowed;
    notAllowedReason_ = reasonWhenNot;
    refresh();
}

void ReviewPanel::setEntryState(bool pending, const QString& note)
{
    pending_ = pending;
    note_ = note;
    setHint({});
    refresh();
}

void ReviewPanel::setBusy(bool busy)
{
    busy_ = busy;
    refresh();
}

bool ReviewPanel::canReview() const
{
    return allowed_ && pending_ && !busy_;
}

void ReviewPanel::refresh()
{
    const bool enabled = canReview();
    approve_->setEnabled(enabled);
    reject_->setEnabled(enabled);
    comment_->setEnabled(allowed_);

    QString reason;
    if (!allowed_)
        reason = notAllowedReason_.isEmpty() ? tr("Your role cannot review knowledge entries.")
                                             : notAllowedReason_;
    else if (busy_)
        reason = tr("Sending\u2026");
    else
        reason = note_;
    reason_->setText(reason);
    reason_->setVisible(!reason.isEmpty());
    const QString tip = enabled ? QString() : knowledgeui::plainToolTip(reason);
    approve_->setToolTip(enabled ? tr("Approve this entry (A)") : tip);
    reject_->setToolTip(enabled ? tr("Reject this entry with the comment (R)") : tip);
}

QString ReviewPanel::reasonText() const
{
    return reason_->isVisibleTo(this) ? reason_->text() : QString();
}

QString ReviewPanel::hintText() const
{
    return hint_->isVisibleTo(this) ? hint_->text() : QString();
}

void ReviewPanel::setHint(const QString& text)
{
    hint_->setText(text);
    hint_->setVisible(!text.isEmpty());
}

QString ReviewPanel::comment() const
{
    return comment_->toPlainText().trimmed();
}

void ReviewPanel::clearComment()
{
    comment_->clear();
    setHint({});
}

void ReviewPanel::focusComment()
{
    comment_->setFocus(Qt::OtherFocusReason);
}

void ReviewPanel::requestApprove()
{
    if (!canReview())
        return;
    emit approveRequested(comment());
}

void ReviewPanel::requestReject()
{
    if (!canReview())
        return;
    const QString text = comment();
    if (text.isEmpty()) {
        setHint(tr("A rejection needs a comment"));
        focusComment();
        return;
    }
    emit rejectRequested(text);
}

bool ReviewPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == comment_ && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && key->modifiers().testFlag(Qt::ControlModifier)) {
            requestReject();
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            emit commentEscaped();
            // Nobody took the focus: leave the field anyway, for the parent.
            if (comment_->hasFocus() && parentWidget())
                parentWidget()->setFocus(Qt::ShortcutFocusReason);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ReviewPanel::setBanner(Banner kind, const QString& caption, const QString& text)
{
    banner_ = kind;
    struct Look
    {
        const char* foreground;
        const char* background;
        const char* border;
    };
    const Look look = kind == Banner::Conflict       ? Look{"#6b3e00", "#fff4dc", "#e8a33d"}
                      : kind == Banner::PendingRetry ? Look{"#1a3f7a", "#e6efff", "#7da2e8"}
                                                     : Look{"#8c1d18", "#fdecea", "#e4837c"};
    setThemedStyleSheet(
        bannerFrame_,
        QStringLiteral("#reviewBanner { background: %1; border: 1px solid %2; border-radius: 4px; }"
                       "#reviewBanner QLabel { color: %3; }")
            .arg(QLatin1String(look.background), QLatin1String(look.border),
                 QLatin1String(look.foreground)));
    bannerCaption_->setText(caption);
    bannerText_->setText(text);
    bannerFrame_->show();
}

void ReviewPanel::showConflict(const QString& text)
{
    setBanner(Banner::Conflict, tr("Conflict"), text);
}

void ReviewPanel::showPendingRetry(const QString& text)
{
    setBanner(Banner::PendingRetry, tr("Pending retry"), text);
}

void ReviewPanel::showError(const QString& text)
{
    setBanner(Banner::Error, tr("Review failed"), text);
}

void ReviewPanel::clearBanner()
{
    banner_ = Banner::None;
    bannerText_->clear();
    bannerFrame_->hide();
}

QString ReviewPanel::bannerText() const
{
    return banner_ == Banner::None ? QString() : bannerText_->text();
}

} // namespace nexus::widgets

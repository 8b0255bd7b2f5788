#pragma once

#include <QDialog>
#include <QList>
#include <QPair>

namespace nexus::widgets {

// Shows the application and library versions it is given (plain text).
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(const QList<QPair<QString, QString>>& versions, QWidget* parent = nullptr);
};

} // namespace nexus::widgets

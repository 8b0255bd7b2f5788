#pragma once
// Private to GraphLayout.cpp and GraphvizContext.cpp: the process-wide
// Graphviz context (plugins from the installed config, else preloaded by
// hand), the lock every Graphviz call takes and the capture of Graphviz's
// messages.

#include <QString>
#include <QStringList>

#include <graphviz/gvc.h>
#include <mutex>

namespace nexus::widgets::graphviz {

// Leaked on purpose (like the context): a worker thread may still be inside
// Graphviz while the process exits.
std::timed_mutex& graphvizMutex();

// What Graphviz said since the last call. Call with graphvizMutex() held.
QStringList takeMessages();

struct Context
{
    GVC_t* gvc = nullptr;
    QString source; // "config", "preloaded", ""
    QString error;

    Context();
};

// Call with graphvizMutex() held. Never freed: see graphvizMutex().
Context& context();

} // namespace nexus::widgets::graphviz

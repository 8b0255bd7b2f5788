// Must NOT compile: protocol code is plain C++, without Qt.
#include <QString>
int layeringProbe()
{
    return 0;
}

// Must compile: the positive control for the two probes beside it.
#include "models/RecordTableModel.h"
int layeringProbe()
{
    return 0;
}

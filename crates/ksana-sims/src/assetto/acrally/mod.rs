//! AC Rally: the ACC physics layout (see ../acc), its own detection. (being written)

package io.tideline.archiver.wal;

/** How a stream session ended when it did not fail. */
enum SessionEnd {
    /** A stop was requested (after the final flush, if one was asked for). */
    STOPPED,
    /** An older timeline is stored up to its fork; the next session follows the next timeline. */
    TIMELINE_DONE,
    /** The server no longer had the WAL to stream; the gap was reported and the next session starts past it. */
    GAP_SKIPPED
}

package io.tideline.archiver.wal;

/** A stop cut an upload retry short: nothing more is stored. Control flow, hence no stack trace. */
final class StopRequested extends Exception {

    StopRequested() {
        super(null, null, false, false);
    }
}

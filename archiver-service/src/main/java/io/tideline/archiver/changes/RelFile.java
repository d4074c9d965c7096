package io.tideline.archiver.changes;

/** A relation file as the WAL names it: PostgreSQL's {@code RelFileNode} (tablespace, database, relfilenode). */
record RelFile(long tablespace, long database, long relfilenode) {

    @Override
    public String toString() {
        return tablespace + "/" + database + "/" + relfilenode;
    }
}

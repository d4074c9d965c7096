package io.tideline.restore.view;

import io.tideline.schemas.RestorePhase;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** A restore's phases as a person reads them: the view's history lines and its live progress (which gets this map). */
final class RestorePhaseWords {

    private RestorePhaseWords() {
    }

    static String of(RestorePhase phase) {
        return switch (phase) {
            case PROVISIONING -> "Creating the new instance";
            case RESTORING_BACKUP -> "Restoring the backup";
            case REPLAYING_WAL -> "Replaying WAL to the target";
            case PROMOTING -> "Opening the new instance";
            case VERIFYING -> "Checking the new instance";
            case REGISTERING -> "Registering the new instance";
        };
    }

    /** Every phase's name ({@code REPLAYING_WAL}) and its words, in order. */
    static Map<String, String> all() {
        Map<String, String> words = new LinkedHashMap<>();
        Arrays.stream(RestorePhase.values()).forEach(p -> words.put(p.name(), of(p)));
        return words;
    }
}

package io.tideline.core.ids;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The id a client gives a restore request (a UUID from the CLI and the Backups view): the natural key
 * that makes redelivery harmless. It travels in URLs ({@code /restores/<id>/wal/...}) and instance
 * names, so it is restricted to letters, digits, dots, underscores and dashes.
 */
public record RestoreId(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Characters of {@link #shortForm()}: enough to tell a person's restores apart, short enough for an instance id. */
    public static final int SHORT_LENGTH = 8;

    public RestoreId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a valid restore id (1-128 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit): '" + value + "'");
        }
    }

    public static RestoreId of(String value) {
        return new RestoreId(value);
    }

    /** The first {@value #SHORT_LENGTH} letters and digits, lower-cased ({@code 3f9a2c1e} for a UUID). */
    public String shortForm() {
        String alnum = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return alnum.length() <= SHORT_LENGTH ? alnum : alnum.substring(0, SHORT_LENGTH);
    }

    @Override
    public String toString() {
        return value;
    }
}

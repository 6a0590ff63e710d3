package dev.switchboard.core.config;

/** How problem messages show a value a user wrote: quoted, on one line, and short. */
public final class Quoted {

    /** How much of a value a message shows. */
    public static final int MAX = 80;

    private Quoted() {
    }

    /** {@code value} in double quotes, control characters as {@code ?}, cut after {@value #MAX} characters. */
    public static String of(String value) {
        String plain = value.replaceAll("\\p{Cntrl}", "?");
        return "\"" + (plain.length() > MAX ? plain.substring(0, MAX) + "…" : plain) + "\"";
    }
}

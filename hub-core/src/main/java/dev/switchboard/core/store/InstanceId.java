package dev.switchboard.core.store;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Who holds a {@linkplain WorkLeases lease}: one id per start of a hub process.
 *
 * <p>{@code node} is the instance's stable name when one is configured (a StatefulSet pod name, a host that runs
 * one hub). Two live instances must never share it: a starting instance takes every lease held under its node
 * name back at once, because the holder can only be its own dead predecessor. Without a node name an instance
 * is anonymous and its leases pass on by expiry only.
 *
 * @param node  the stable instance name, or {@code null} for none
 * @param start unique per process start
 */
public record InstanceId(String node, String start) {

    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public InstanceId {
        if (node != null && !NODE.matcher(node).matches()) {
            throw new IllegalArgumentException("instance name must be 1 to 128 letters, digits, dots, dashes or "
                    + "underscores, was \"" + node + "\"");
        }
        if (start == null || start.isBlank()) {
            throw new IllegalArgumentException("start id must not be blank");
        }
    }

    /** A fresh id for this process start, under {@code node} (or anonymous when it is null or blank). */
    public static InstanceId newStart(String node) {
        return new InstanceId(node == null || node.isBlank() ? null : node.trim(), UUID.randomUUID().toString());
    }

    /** The id as the lease table shows it: {@code node/start}, or {@code start} alone. */
    public String holder() {
        return node == null ? start : node + "/" + start;
    }

    @Override
    public String toString() {
        return holder();
    }
}

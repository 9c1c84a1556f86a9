package org.ssechat.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram in the Prometheus form: cumulative counts of observations at or below each bound,
 * their sum and their count. Recording is a few comparisons and three {@link LongAdder}
 * increments, cheap enough for once per message, or per write to a stream.
 */
final class Histogram {

    /** Bounds in seconds: 100 µs to 10 s, about three to a decade. */
    static final double[] BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1, 2.5, 5, 10};
    /** Bounds of a count: powers of two up to 1,024. */
    static final double[] COUNT_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final String name;
    private final String help;
    private final double[] bounds;
    /** Recorded values per unit of the bounds: 1e9 for nanoseconds against seconds, 1 for counts. */
    private final double perUnit;
    private final LongAdder[] buckets;
    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();

    /** Of durations, recorded in nanoseconds and written in seconds. */
    Histogram(String name, String help) {
        this(name, help, BOUNDS, 1e9);
    }

    private Histogram(String name, String help, double[] bounds, double perUnit) {
        this.name = name;
        this.help = help;
        this.bounds = bounds;
        this.perUnit = perUnit;
        this.buckets = new LongAdder[bounds.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Of counts (of messages, say). */
    static Histogram ofCounts(String name, String help) {
        return new Histogram(name, help, COUNT_BOUNDS, 1);
    }

    void record(long value) {
        double inUnits = value / perUnit;
        for (int i = 0; i < bounds.length; i++) {
            if (inUnits <= bounds[i]) {
                buckets[i].increment();
                break;
            }
        }
        count.increment();
        sum.add(value);
    }

    void writeTo(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += buckets[i].sum();
            out.append(name).append("_bucket{le=\"").append(bounds[i]).append("\"} ").append(cumulative).append('\n');
        }
        long total = count.sum();
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(total).append('\n')
                .append(name).append("_sum ")
                .append(perUnit == 1 ? Long.toString(sum.sum()) : Double.toString(sum.sum() / perUnit)).append('\n')
                .append(name).append("_count ").append(total).append('\n');
    }
}

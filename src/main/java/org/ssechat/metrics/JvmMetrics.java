package org.ssechat.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;

/**
 * The JVM's own figures beside the application's, under the names the Prometheus Java client
 * uses ({@code jvm_memory_bytes_used{area="heap"}}, ...), read from the platform MXBeans when
 * the metrics are written out. A few lines of this are less than a metrics library and its
 * dependencies inside every WAR.
 */
final class JvmMetrics {

    private JvmMetrics() {
    }

    static void writeTo(StringBuilder out) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        head(out, "jvm_memory_bytes_used", "Memory in use, by area.", "gauge");
        out.append("jvm_memory_bytes_used{area=\"heap\"} ").append(heap.getUsed()).append('\n')
                .append("jvm_memory_bytes_used{area=\"nonheap\"} ").append(nonHeap.getUsed()).append('\n');
        head(out, "jvm_memory_bytes_max", "The most memory the JVM may use, by area (-1: no limit).", "gauge");
        out.append("jvm_memory_bytes_max{area=\"heap\"} ").append(heap.getMax()).append('\n')
                .append("jvm_memory_bytes_max{area=\"nonheap\"} ").append(nonHeap.getMax()).append('\n');
        head(out, "jvm_gc_collection_seconds_count", "Garbage collections, by collector.", "counter");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            out.append("jvm_gc_collection_seconds_count{gc=\"").append(gc.getName()).append("\"} ")
                    .append(gc.getCollectionCount()).append('\n');
        }
        head(out, "jvm_gc_collection_seconds_sum", "Time spent in garbage collections, by collector.", "counter");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            out.append("jvm_gc_collection_seconds_sum{gc=\"").append(gc.getName()).append("\"} ")
                    .append(gc.getCollectionTime() / 1000.0).append('\n');
        }
        head(out, "jvm_threads_current", "Live threads of the JVM.", "gauge");
        out.append("jvm_threads_current ").append(ManagementFactory.getThreadMXBean().getThreadCount()).append('\n');
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            head(out, "process_cpu_seconds_total", "CPU time of the whole JVM process (all its threads).", "counter");
            out.append("process_cpu_seconds_total ").append(hotspot.getProcessCpuTime() / 1e9).append('\n');
        }
    }

    private static void head(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}

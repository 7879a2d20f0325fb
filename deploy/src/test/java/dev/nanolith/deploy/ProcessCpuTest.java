package dev.nanolith.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.audit.Usage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CPU of real processes, sampled as the control plane samples its workers'. */
class ProcessCpuTest {

    @Test
    void aWorkerThatStartedWithinTheWindowIsMeasuredFromItsStartOnceSampled() throws Exception {
        List<Workers.Running> running = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ProcessCpu cpu = new ProcessCpu(() -> running, Clock.systemUTC())) {
            Thread.sleep(1200);
            Process young = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
            try {
                Instant started = young.toHandle().info().startInstant().orElseThrow();
                running.add(new Workers.Running("shop", "r1", "young", young.pid(), started));
                // A window that ends before the worker's first sample: its start, when it had spent nothing, is the sample before.
                Instant to = Instant.now().plusMillis(200);
                Thread.sleep(1500);
                Usage used = cpu.usage("shop", "r1", started, to).orElseThrow();
                assertTrue(used.services().getOrDefault("young", 0.0) > 0.3, "measured at once: " + used);
            } finally {
                young.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void measuresTheCoresEachWorkersProcessesUseOverAWindow() throws Exception {
        // A worker whose process is a shell that spins, and one whose shell sleeps under it: the tree of each is read.
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        Process idle = new ProcessBuilder("sh", "-c", "sleep 60; true").start();
        // And one with a process that ends a moment after the first sample, as a sandbox's start does.
        Process starting = new ProcessBuilder("sh", "-c", "sleep 1.5 & sleep 60; true").start();
        Instant started = Instant.now();
        try (ProcessCpu cpu = new ProcessCpu(() -> List.of(new Workers.Running("shop", "r1", "busy", busy.pid(), started),
                new Workers.Running("shop", "r1", "idle", idle.pid(), started), new Workers.Running("shop", "r1", "starting", starting.pid(), started)),
                Clock.systemUTC())) {
            Thread.sleep(1500);
            Instant from = Instant.now();
            Thread.sleep(3000);
            Usage used = cpu.usage("shop", "r1", from, Instant.now()).orElseThrow();

            Map<String, Double> services = used.services();
            assertTrue(services.get("busy") > 0.5, "a spinning process takes most of a core: " + used);
            assertTrue(services.get("idle") < 0.05, "a sleeping one next to nothing: " + used);
            assertTrue(services.containsKey("starting"), "a worker one of whose processes ended is measured on: " + used);
            assertEquals(services.get("busy") + services.get("idle") + services.get("starting"), used.workers(), 1e-9);
            assertTrue(used.host() > 0.4 && used.cores() == Runtime.getRuntime().availableProcessors(), used.toString());
            assertEquals(1.0, used.coverage(), 1e-9, "samples from before the window on: " + used);
            assertTrue(used.seconds() >= 3, used.toString());
            assertTrue(cpu.usage("shop", "r2", from, Instant.now()).orElseThrow().services().isEmpty(), "another revision has no workers");

            Usage earlier = cpu.usage("shop", "r1", started.minusSeconds(10), Instant.now()).orElseThrow();
            assertTrue(earlier.coverage() < 0.8, "a window that began before the first sample is covered in part: " + earlier);
        } finally {
            busy.destroyForcibly().waitFor();
            for (Process shell : List.of(idle, starting)) {
                shell.descendants().forEach(ProcessHandle::destroyForcibly);
                shell.destroyForcibly().waitFor();
            }
        }
    }
}

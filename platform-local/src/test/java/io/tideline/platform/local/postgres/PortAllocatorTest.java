package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

    private static PortAllocator proposing(Set<Integer> inUse, int... candidates) {
        PrimitiveIterator.OfInt next = IntStream.of(candidates).iterator();
        return new PortAllocator("127.0.0.1", next::nextInt, () -> inUse);
    }

    @Test
    void aPortAnInstanceOfTheHomeHoldsIsNeverChosen() {
        // A stopped instance does not listen, so the system may propose its port: it is still taken.
        PortAllocator ports = proposing(Set.of(5433, 5434), 5433, 5434, 5435);
        assertEquals(5435, ports.choose());
    }

    @Test
    void aPortIsHandedOutOnceEvenBeforeItsServerListens() {
        PortAllocator ports = proposing(Set.of(), 6000, 6000, 6000, 6001);
        assertEquals(List.of(6000, 6001), List.of(ports.choose(), ports.choose()));
    }

    @Test
    void givesUpWhenNoProposedPortIsFree() {
        PortAllocator ports = new PortAllocator("127.0.0.1", () -> 7000, () -> Set.of(7000));
        IllegalStateException e = assertThrows(IllegalStateException.class, ports::choose);
        assertEquals("no free port found on 127.0.0.1", e.getMessage());
    }

    @Test
    void thePortsInUseAreAskedAtEachChoice() {
        Set<Integer> inUse = new HashSet<>();
        AtomicInteger calls = new AtomicInteger();
        PortAllocator ports = new PortAllocator("127.0.0.1", () -> 8000 + calls.getAndIncrement() % 2, () -> inUse);
        assertEquals(8000, ports.choose());
        inUse.add(8001); // an instance made meanwhile (e.g. by another process of the home) holds it
        assertThrows(IllegalStateException.class, ports::choose);
    }
}

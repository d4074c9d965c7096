package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The WAL endpoint a recovering server is given follows the address the service is bound to. */
class WalEndpointAddressTest {

    @Test
    void aServiceBoundToAHostAddressHandsOutThatAddress() {
        assertEquals("10.231.0.41", WalEndpoint.urlHost(Optional.of("10.231.0.41")));
    }

    @Test
    void unboundOrBoundToAllItIsTheLoopbackAsBefore() {
        assertEquals("127.0.0.1", WalEndpoint.urlHost(Optional.empty()));
        assertEquals("127.0.0.1", WalEndpoint.urlHost(Optional.of("0.0.0.0")));
        assertEquals("127.0.0.1", WalEndpoint.urlHost(Optional.of("::")));
        assertEquals("127.0.0.1", WalEndpoint.urlHost(Optional.of("127.0.0.1")));
    }

    @Test
    void anIpv6AddressIsBracketed() {
        assertEquals("[fd00::41]", WalEndpoint.urlHost(Optional.of("fd00::41")));
    }
}

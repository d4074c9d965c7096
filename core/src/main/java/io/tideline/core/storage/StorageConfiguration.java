package io.tideline.core.storage;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code tideline.storage.*}: binds the object-store settings from configuration; defaults are the
 * constants of {@link ObjectStoreSettings}. Validation happens in {@link #toSettings()}.
 */
@ConfigurationProperties(StorageConfiguration.PREFIX)
public class StorageConfiguration {

    public static final String PREFIX = "tideline.storage";

    private URI endpoint;
    private String region = ObjectStoreSettings.DEFAULT_REGION;
    private boolean pathStyle = ObjectStoreSettings.DEFAULT_PATH_STYLE;
    private int maxAttempts = ObjectStoreSettings.DEFAULT_MAX_ATTEMPTS;
    private int partSize = ObjectStoreSettings.DEFAULT_PART_SIZE;
    private int maxInFlightParts = ObjectStoreSettings.DEFAULT_MAX_IN_FLIGHT_PARTS;
    private int listPageSize = ObjectStoreSettings.MAX_LIST_PAGE_SIZE;
    private Duration connectTimeout = ObjectStoreSettings.DEFAULT_CONNECT_TIMEOUT;
    private Duration socketTimeout = ObjectStoreSettings.DEFAULT_SOCKET_TIMEOUT;

    public ObjectStoreSettings toSettings() {
        return new ObjectStoreSettings(Optional.ofNullable(endpoint), region, pathStyle, maxAttempts, partSize,
                maxInFlightParts, listPageSize, connectTimeout, socketTimeout);
    }

    public URI getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(URI endpoint) {
        this.endpoint = endpoint;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public boolean isPathStyle() {
        return pathStyle;
    }

    public void setPathStyle(boolean pathStyle) {
        this.pathStyle = pathStyle;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public int getPartSize() {
        return partSize;
    }

    public void setPartSize(int partSize) {
        this.partSize = partSize;
    }

    public int getMaxInFlightParts() {
        return maxInFlightParts;
    }

    public void setMaxInFlightParts(int maxInFlightParts) {
        this.maxInFlightParts = maxInFlightParts;
    }

    public int getListPageSize() {
        return listPageSize;
    }

    public void setListPageSize(int listPageSize) {
        this.listPageSize = listPageSize;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getSocketTimeout() {
        return socketTimeout;
    }

    public void setSocketTimeout(Duration socketTimeout) {
        this.socketTimeout = socketTimeout;
    }
}

package io.tideline.core.postgres;

import io.tideline.core.tls.Pem;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postgresql.ssl.WrappedFactory;

/**
 * pgjdbc's {@code sslfactory} for {@link PostgresTls}: trusts only the CA certificate(s) given in the
 * connection's {@link PostgresTls#CA_PROPERTY} property, presents no client certificate. pgjdbc checks
 * the host name itself after the handshake ({@code sslmode=verify-full}), so the chain is checked here
 * and the name there; nothing trusts all certificates.
 */
public final class CaSocketFactory extends WrappedFactory {

    /** pgjdbc calls this constructor with the connection's properties. */
    public CaSocketFactory(Properties info) throws GeneralSecurityException {
        String pem = info.getProperty(PostgresTls.CA_PROPERTY);
        if (pem == null || pem.isBlank()) {
            throw new GeneralSecurityException("no CA certificate for a verify-full connection (" + PostgresTls.CA_PROPERTY + " unset)");
        }
        factory = context(Pem.certificates(pem)).getSocketFactory();
    }

    private static SSLContext context(List<X509Certificate> cas) throws GeneralSecurityException {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot build a trust store", e);
        }
    }
}

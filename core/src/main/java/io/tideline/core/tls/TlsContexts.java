package io.tideline.core.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;

/** JSSE contexts from Tideline identities: a client trusts only the Tideline CA; a server's key follows renewals. */
public final class TlsContexts {

    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    /** Trusts only {@code ca}: the context of a client that need not present a certificate. */
    public static SSLContext client(X509Certificate ca) {
        return context(null, trustManager(ca));
    }

    /**
     * Presents the identity {@code identity} supplies now (re-asked at every handshake, so a renewed
     * certificate is served without a restart) and trusts the CA that issued it.
     */
    public static SSLContext withIdentity(Supplier<TlsIdentity> identity) {
        return context(new ReloadingKeyManager(identity), trustManager(identity.get().caCertificate()));
    }

    /** {@link #withIdentity(Supplier)} trusting {@code ca} (what a client trusts need not be read from its identity). */
    public static SSLContext withIdentity(Supplier<TlsIdentity> identity, X509Certificate ca) {
        return context(new ReloadingKeyManager(identity), trustManager(ca));
    }

    /** {@link #withIdentity(Supplier)} trusting each of {@code cas}. */
    public static SSLContext withIdentity(Supplier<TlsIdentity> identity, java.util.List<X509Certificate> cas) {
        return context(new ReloadingKeyManager(identity), trustManager(cas));
    }

    public static X509TrustManager trustManager(X509Certificate ca) {
        return trustManager(java.util.List.of(ca));
    }

    /**
     * Trusts each of {@code cas} (a PEM bundle of several deployments' or components' CAs, e.g. a cluster's Tideline CA
     * and Strimzi's cluster CA in one {@code --ca-file}).
     */
    public static X509TrustManager trustManager(java.util.List<X509Certificate> cas) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStoreOf(cas));
            for (TrustManager m : factory.getTrustManagers()) {
                if (m instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a trust manager for the Tideline CA", e);
        }
    }

    static KeyStore trustStoreOf(X509Certificate ca) {
        return trustStoreOf(java.util.List.of(ca));
    }

    /** The first under the alias {@code tideline-ca}, the others as {@code tideline-ca-<n>}. */
    static KeyStore trustStoreOf(java.util.List<X509Certificate> cas) {
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("no CA certificate to trust");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry(i == 0 ? "tideline-ca" : "tideline-ca-" + i, cas.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store", e);
        }
    }

    private static SSLContext context(KeyManager keyManager, X509TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManager == null ? null : new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context", e);
        }
    }

    /** Delegates to a key manager of the identity supplied now, rebuilt when the identity changed. */
    static final class ReloadingKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "tideline";
        private final Supplier<TlsIdentity> identity;
        private TlsIdentity built;
        private X509ExtendedKeyManager delegate;

        ReloadingKeyManager(Supplier<TlsIdentity> identity) {
            this.identity = identity;
        }

        private synchronized X509ExtendedKeyManager current() {
            TlsIdentity now = identity.get();
            if (now != built) {
                delegate = keyManagerOf(now);
                built = now;
            }
            return delegate;
        }

        private static X509ExtendedKeyManager keyManagerOf(TlsIdentity identity) {
            try {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(identity.keyStore(ALIAS, NO_PASSWORD), NO_PASSWORD);
                for (KeyManager m : factory.getKeyManagers()) {
                    if (m instanceof X509ExtendedKeyManager x) {
                        return x;
                    }
                }
                throw new IllegalStateException("the JDK offers no X.509 key manager");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot build a key manager", e);
            }
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return current().getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return current().chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return current().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return current().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return current().chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return current().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return current().getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return current().getPrivateKey(alias);
        }
    }
}

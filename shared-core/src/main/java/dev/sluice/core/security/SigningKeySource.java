package dev.sluice.core.security;

import java.util.Objects;

/**
 * Where the signing keys come from: inline configuration, or a secret store re-read now and then
 * ({@link RefreshingSigningKeys}). Signers and verifiers ask for the {@link #current()} keys each time, so a key
 * rotated in the store takes effect without a restart.
 */
public interface SigningKeySource {
    /** @return the keys in force now; the active one signs, every one verifies */
    SigningKeys current();

    /**
     * Called when a message names a key id the current keys do not hold: a source that can re-read its store may do
     * so here, rate-limited so that messages with made-up key ids cannot make it hammer the store.
     *
     * @param keyId the unknown key id
     * @return the keys in force after any re-read
     */
    default SigningKeys currentFor(String keyId) {
        return current();
    }

    /**
     * @param keys fixed keys
     * @return a source that always answers {@code keys}
     */
    static SigningKeySource of(SigningKeys keys) {
        Objects.requireNonNull(keys, "keys");
        return new SigningKeySource() {
            @Override
            public SigningKeys current() {
                return keys;
            }

            @Override
            public String toString() {
                return "SigningKeySource[" + keys + "]";
            }
        };
    }

    /**
     * @param spec {@code id1:base64secret,id2:base64secret}; the first key signs
     * @param setting the variable name to name in errors
     * @return a fixed source over the parsed keys
     */
    static SigningKeySource inline(String spec, String setting) {
        return of(SigningKeys.parse(spec, setting));
    }
}

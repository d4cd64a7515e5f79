//! Argon2id hashing and checking in memory the caller keeps. Each check needs ~19 MiB; letting
//! the allocator hand out and take back 19 MiB on every sign-in left each thread's arena holding
//! its share (a flood of sign-ins grew the server by hundreds of MiB even with few checks at
//! once), so the bounded check slots (`throttle.rs`) each own one buffer for good.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Largest memory cost a stored hash may ask for (KiB): a corrupt or planted hash cannot make one
/// check take gigabytes.
const MAX_M_COST: u32 = 256 * 1024;

fn sized(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    &mut memory[..blocks]
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`, with the crate's default
/// parameters (OWASP's argon2id minimum) and a fresh salt.
pub(crate) fn hash(password: &[u8], memory: &mut Vec<Block>) -> Result<String, String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| e.to_string())?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt_bytes, &mut out, sized(memory, params.block_count()))
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the stored PHC string (compared in constant time).
pub(crate) fn verify(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm) else { return false };
    let version = match phc.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&phc) else { return false };
    if params.m_cost() > MAX_M_COST {
        return false;
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else { return false };
    let mut out = vec![0u8; expected.len()];
    let done = Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password,
        salt_bytes,
        &mut out,
        sized(memory, params.block_count()),
    );
    done.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;

    use super::*;

    #[test]
    fn hashes_are_standard_phc_and_check_either_way() {
        let mut memory = Vec::new();
        let phc = hash(b"Passw0rd!x", &mut memory).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(b"Passw0rd!x", &phc, &mut memory));
        assert!(!verify(b"passw0rd!x", &phc, &mut memory));
        // The crate's own verifier agrees, and hashes it made check here (stored passwords).
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(Argon2::default().verify_password(b"Passw0rd!x", &parsed).is_ok());
        let theirs = {
            use argon2::PasswordHasher;
            Argon2::default().hash_password(b"Other#2026x", &SaltString::generate(&mut OsRng)).unwrap().to_string()
        };
        assert!(verify(b"Other#2026x", &theirs, &mut memory));
        assert_eq!(memory.len(), Params::default().block_count(), "one buffer, reused");
    }

    #[test]
    fn a_hostile_hash_is_refused_without_the_work() {
        let mut memory = Vec::new();
        assert!(!verify(b"x", "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", &mut memory));
        assert!(memory.is_empty());
        assert!(!verify(b"x", "not a hash", &mut memory));
    }
}

//! eframe storage in memory, as eframe keeps it on disk: for the app tests that save and
//! restart the app.
#![allow(dead_code)]

/// Keys and their RON strings.
#[derive(Clone, Default)]
pub struct Memory(pub std::collections::BTreeMap<String, String>);

impl Memory {
    /// The key the app keeps its plot choices under (one per model).
    pub fn plots_key(&self) -> String {
        self.0
            .keys()
            .find(|k| k.starts_with("plot choices"))
            .cloned()
            .expect("plot choices saved")
    }
}

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.into(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

//! The stored output of a run, and how callers read it by name or column.

/// The stored output of a run: one row per save step, one column per model variable. Columns that
/// cannot change during the run (constants, constant overrides) are stored once, not per row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results {
    pub names: Vec<String>,
    pub times: Vec<f64>,
    pub(super) columns: Vec<Column>,
    /// Row-major values of the stored (time-varying) columns.
    pub(super) values: Vec<f64>,
    pub(super) stored: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Column {
    /// Index among the stored columns.
    Stored(usize),
    Constant(f64),
    /// Varying, but the runner was told to record other variables only.
    Unrecorded,
}

impl Results {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Some(i);
        }
        let ident = super::ast::canonical_name(name);
        self.names
            .iter()
            .position(|n| super::ast::canonical_name(n) == ident)
    }

    /// The column `name`, or the columns of every element of the array `name`.
    pub fn columns_named(&self, name: &str) -> Vec<usize> {
        if let Some(i) = self.column_index(name) {
            return vec![i];
        }
        let prefix = format!("{}[", super::ast::canonical_name(name));
        (0..self.names.len())
            .filter(|&i| super::ast::canonical_name(&self.names[i]).starts_with(&prefix))
            .collect()
    }

    /// The series of `name`, or for an array's name the sum of its elements' series (None if
    /// nothing is recorded under that name).
    pub fn series_or_sum(&self, name: &str) -> Option<Vec<f64>> {
        let cols = self.columns_named(name);
        if cols.is_empty() || !cols.iter().all(|&c| self.is_recorded(c)) {
            return None;
        }
        Some(
            (0..self.times.len())
                .map(|row| cols.iter().map(|&c| self.value(row, c)).sum())
                .collect(),
        )
    }

    /// Results made from whole columns (for analyses and tests that build series by hand).
    pub fn from_columns(names: Vec<String>, times: Vec<f64>, columns: &[Vec<f64>]) -> Results {
        let rows = times.len();
        let stored = columns.len();
        let mut values = Vec::with_capacity(rows * stored);
        for row in 0..rows {
            values.extend(columns.iter().map(|c| c[row]));
        }
        Results {
            names,
            times,
            columns: (0..stored).map(Column::Stored).collect(),
            values,
            stored,
        }
    }

    /// The series of one variable, by name.
    pub fn series(&self, name: &str) -> Option<Vec<f64>> {
        let col = self.column_index(name)?;
        self.is_recorded(col).then(|| self.column(col))
    }

    /// False for a varying column the run did not record (see [`Runner::record_only`]).
    /// Every stored (time-varying) value, row-major: for scans that need no column.
    pub fn stored_values(&self) -> &[f64] {
        &self.values
    }

    pub fn is_recorded(&self, col: usize) -> bool {
        !matches!(self.columns[col], Column::Unrecorded)
    }

    /// The series of column `col`, one value per row.
    pub fn column(&self, col: usize) -> Vec<f64> {
        (0..self.rows()).map(|row| self.value(row, col)).collect()
    }

    /// The value of column `col` at row `row`.
    pub fn value(&self, row: usize, col: usize) -> f64 {
        match self.columns[col] {
            Column::Stored(k) => self.values[row * self.stored + k],
            Column::Constant(v) => v,
            Column::Unrecorded => f64::NAN,
        }
    }

    pub fn rows(&self) -> usize {
        self.times.len()
    }
}

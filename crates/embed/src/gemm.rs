//! Matrix products through `matrixmultiply` (pure Rust, SIMD kernels chosen at run time). The one
//! `unsafe` call of the crate lives here, behind bounds checks.

/// A row-major matrix view: `rows` × `cols`, row `r` starting at `r * stride`.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub stride: usize,
}

impl<'a> View<'a> {
    /// A contiguous matrix.
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> View<'a> {
        View { data, rows, cols, stride: cols }
    }

    fn fits(&self) -> bool {
        self.cols <= self.stride
            && (self.rows == 0 || (self.rows - 1) * self.stride + self.cols <= self.data.len())
    }
}

/// `c = a · b + beta · c`, with `c` row-major `a.rows` × `b.cols` at row stride `ldc`.
pub(crate) fn matmul(a: View<'_>, b: View<'_>, c: &mut [f32], ldc: usize, beta: f32) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "inner dimensions");
    assert!(a.fits() && b.fits(), "views inside their slices");
    assert!(n <= ldc && (m == 0 || (m - 1) * ldc + n <= c.len()), "output inside its slice");
    if m == 0 || n == 0 {
        return;
    }
    #[allow(unsafe_code)]
    // SAFETY: the asserts above bound every element sgemm touches, (i, p) of a at
    // i * a.stride + p, (p, j) of b at p * b.stride + j and (i, j) of c at i * ldc + j, inside
    // the three slices; `c` is a unique borrow, so it aliases neither input.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.stride as isize,
            1,
            b.data.as_ptr(),
            b.stride as isize,
            1,
            beta,
            c.as_mut_ptr(),
            ldc as isize,
            1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_with_strides_and_accumulation() {
        // a = [[1, 2], [3, 4]] stored with stride 3; b = [[5, 6], [7, 8]].
        let a = [1.0, 2.0, 0.0, 3.0, 4.0, 0.0];
        let b = [5.0, 6.0, 7.0, 8.0];
        let mut c = [1.0; 4];
        matmul(View { data: &a, rows: 2, cols: 2, stride: 3 }, View::new(&b, 2, 2), &mut c, 2, 0.0);
        assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
        matmul(View { data: &a, rows: 2, cols: 2, stride: 3 }, View::new(&b, 2, 2), &mut c, 2, 1.0);
        assert_eq!(c, [38.0, 44.0, 86.0, 100.0]);
    }

    #[test]
    #[should_panic(expected = "inside")]
    fn out_of_bounds_views_are_refused() {
        let mut c = [0.0; 4];
        matmul(View::new(&[1.0; 3], 2, 2), View::new(&[1.0; 4], 2, 2), &mut c, 2, 0.0);
    }
}

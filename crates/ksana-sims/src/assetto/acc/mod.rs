pub mod layout;
pub mod view;

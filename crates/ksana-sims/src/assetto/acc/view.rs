//! Typed views of ACC's pages: [`PhysicsView`], [`GraphicsView`], [`StaticView`].
//!
//! AC Rally writes the same 800-byte physics page ([`PhysicsView`] reads it; temperatures are
//! Kelvin there, reference §3.6). The accessors AC has too come from `ac::view`'s macros; the
//! ones below are ACC's additions.

use crate::assetto::ac::view::{
    graphics_common_accessors, physics_common_accessors, static_common_accessors,
};
use crate::assetto::enums::{PenaltyType, RainIntensity, TrackGripStatus};
use crate::assetto::strings::utf16_z;

pub use super::layout::{
    Graphics, GraphicsSnapshot, Physics, PhysicsSnapshot, Static, StaticSnapshot,
};
pub use crate::assetto::page::{LayoutError, View};

/// A view of the ACC (and AC Rally) physics page (`Local\acpmf_physics`, 800 bytes).
pub type PhysicsView<'a> = View<'a, Physics>;
/// A view of the ACC graphics page (`Local\acpmf_graphics`, 1588 bytes).
pub type GraphicsView<'a> = View<'a, Graphics>;
/// A view of the ACC static page (`Local\acpmf_static`, 820 bytes).
pub type StaticView<'a> = View<'a, Static>;

/// Cars the graphics page has room for (`carCoordinates[60]`, `carID[60]`).
pub const MAX_CARS: usize = 60;

/// Accessors on the physics members ACC, AC Rally and AC Evo add after AC's 580 bytes (Evo
/// renames `brakePressure` and `gVibrations`, so those two are not here).
macro_rules! physics_tail_accessors {
    () => {
        /// Push-to-pass activations left.
        pub fn p2p_activations(&self) -> i32 {
            self.raw().p2p_activations
        }
        /// Push-to-pass status.
        pub fn p2p_status(&self) -> i32 {
            self.raw().p2p_status
        }
        /// Current RPM limit.
        pub fn current_max_rpm(&self) -> i32 {
            self.raw().current_max_rpm
        }
        /// Traction control intervening.
        pub fn tc_in_action(&self) -> bool {
            self.raw().tc_in_action != 0
        }
        /// ABS intervening.
        pub fn abs_in_action(&self) -> bool {
            self.raw().abs_in_action != 0
        }
        /// Self-aligning torque per wheel.
        pub fn mz(&self) -> [f32; 4] {
            self.raw().mz
        }
        /// Longitudinal tyre force per wheel.
        pub fn fx(&self) -> [f32; 4] {
            self.raw().fx
        }
        /// Lateral tyre force per wheel.
        pub fn fy(&self) -> [f32; 4] {
            self.raw().fy
        }
        /// Slip ratio per wheel.
        pub fn slip_ratio(&self) -> [f32; 4] {
            self.raw().slip_ratio
        }
        /// Slip angle per wheel.
        pub fn slip_angle(&self) -> [f32; 4] {
            self.raw().slip_angle
        }
        /// Suspension damage per wheel.
        pub fn suspension_damage(&self) -> [f32; 4] {
            self.raw().suspension_damage
        }
        /// Tyre core temperature per wheel (`tyreTemp`; Kelvin in AC Rally).
        pub fn tyre_temps(&self) -> [f32; 4] {
            self.raw().tyre_temp
        }
        /// Water temperature (°C; Kelvin in AC Rally).
        pub fn water_temp(&self) -> f32 {
            self.raw().water_temp
        }
        /// Front brake compound.
        pub fn front_brake_compound(&self) -> i32 {
            self.raw().front_brake_compound
        }
        /// Rear brake compound.
        pub fn rear_brake_compound(&self) -> i32 {
            self.raw().rear_brake_compound
        }
        /// Brake pad life per wheel.
        pub fn pad_life(&self) -> [f32; 4] {
            self.raw().pad_life
        }
        /// Brake disc life per wheel.
        pub fn disc_life(&self) -> [f32; 4] {
            self.raw().disc_life
        }
        /// Ignition on.
        pub fn ignition_on(&self) -> bool {
            self.raw().ignition_on != 0
        }
        /// Starter engaged.
        pub fn starter_engine_on(&self) -> bool {
            self.raw().starter_engine_on != 0
        }
        /// Engine running.
        pub fn is_engine_running(&self) -> bool {
            self.raw().is_engine_running != 0
        }
        /// Kerb vibration.
        pub fn kerb_vibration(&self) -> f32 {
            self.raw().kerb_vibration
        }
        /// Slip vibration.
        pub fn slip_vibrations(&self) -> f32 {
            self.raw().slip_vibrations
        }
        /// ABS vibration.
        pub fn abs_vibrations(&self) -> f32 {
            self.raw().abs_vibrations
        }
    };
}
pub(crate) use physics_tail_accessors;

impl View<'_, Physics> {
    physics_common_accessors!();
    physics_tail_accessors!();

    /// Brake pressure per wheel.
    pub fn brake_pressure(&self) -> [f32; 4] {
        self.raw().brake_pressure
    }

    /// G-force vibration.
    pub fn g_vibrations(&self) -> f32 {
        self.raw().g_vibrations
    }

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> PhysicsSnapshot {
        PhysicsSnapshot::from(self.raw())
    }
}

fn on(v: i32) -> bool {
    v != 0
}

impl View<'_, Graphics> {
    graphics_common_accessors!();

    /// Penalty to serve.
    pub fn penalty(&self) -> PenaltyType {
        self.raw().penalty.into()
    }
    /// Cars in the session, as the page claims (not clamped).
    pub fn active_cars(&self) -> i32 {
        self.raw().active_cars
    }
    /// Positions of the active cars (the first `activeCars` entries, clamped to 0..=60).
    pub fn car_coordinates(&self) -> &[[f32; 3]] {
        &self.raw().car_coordinates[..self.active_len()]
    }
    /// Car indices of the active cars, parallel to [`Self::car_coordinates`].
    pub fn car_ids(&self) -> &[i32] {
        &self.raw().car_id[..self.active_len()]
    }
    /// Car index of the player.
    pub fn player_car_id(&self) -> i32 {
        self.raw().player_car_id
    }
    /// The player's position: the active entry whose car index is `playerCarID`.
    pub fn player_coordinates(&self) -> Option<[f32; 3]> {
        let id = self.player_car_id();
        self.car_ids()
            .iter()
            .position(|&c| c == id)
            .map(|i| self.car_coordinates()[i])
    }
    fn active_len(&self) -> usize {
        (self.raw().active_cars.max(0) as usize).min(MAX_CARS)
    }
    /// Setup menu open.
    pub fn is_setup_menu_visible(&self) -> bool {
        on(self.raw().is_setup_menu_visible)
    }
    /// Index of the main display page.
    pub fn main_display_index(&self) -> i32 {
        self.raw().main_display_index
    }
    /// Index of the secondary display page.
    pub fn secondary_display_index(&self) -> i32 {
        self.raw().secondary_display_index
    }
    /// Traction-control level (`TC`).
    pub fn tc_level(&self) -> i32 {
        self.raw().tc
    }
    /// Traction-control cut level (`TCCut`).
    pub fn tc_cut(&self) -> i32 {
        self.raw().tc_cut
    }
    /// Engine map (`EngineMap`).
    pub fn engine_map(&self) -> i32 {
        self.raw().engine_map
    }
    /// ABS level (`ABS`).
    pub fn abs_level(&self) -> i32 {
        self.raw().abs
    }
    /// Fuel per lap, litres (`fuelXLap`).
    pub fn fuel_per_lap(&self) -> f32 {
        self.raw().fuel_x_lap
    }
    /// Rain lights on.
    pub fn rain_lights(&self) -> bool {
        on(self.raw().rain_lights)
    }
    /// Flashing lights on.
    pub fn flashing_lights(&self) -> bool {
        on(self.raw().flashing_lights)
    }
    /// Light stage.
    pub fn lights_stage(&self) -> i32 {
        self.raw().lights_stage
    }
    /// Exhaust temperature.
    pub fn exhaust_temperature(&self) -> f32 {
        self.raw().exhaust_temperature
    }
    /// Wiper level.
    pub fn wiper_level(&self) -> i32 {
        self.raw().wiper_lv
    }
    /// Driver stint total time left, ms.
    pub fn driver_stint_total_time_left(&self) -> i32 {
        self.raw().driver_stint_total_time_left
    }
    /// Driver stint time left, ms.
    pub fn driver_stint_time_left(&self) -> i32 {
        self.raw().driver_stint_time_left
    }
    /// On rain tyres.
    pub fn rain_tyres(&self) -> bool {
        on(self.raw().rain_tyres)
    }
    /// Session index.
    pub fn session_index(&self) -> i32 {
        self.raw().session_index
    }
    /// Fuel used since the start, litres.
    pub fn used_fuel(&self) -> f32 {
        self.raw().used_fuel
    }
    /// Delta to the best lap as text.
    pub fn delta_lap_time_text(&self) -> String {
        utf16_z(&self.raw().delta_lap_time)
    }
    /// Delta to the best lap, ms.
    pub fn delta_lap_time_ms(&self) -> i32 {
        self.raw().i_delta_lap_time
    }
    /// Estimated lap time as text.
    pub fn estimated_lap_time_text(&self) -> String {
        utf16_z(&self.raw().estimated_lap_time)
    }
    /// Estimated lap time, ms.
    pub fn estimated_lap_time_ms(&self) -> i32 {
        self.raw().i_estimated_lap_time
    }
    /// Delta is positive (slower than the best lap).
    pub fn is_delta_positive(&self) -> bool {
        on(self.raw().is_delta_positive)
    }
    /// Last split, ms.
    pub fn split_ms(&self) -> i32 {
        self.raw().i_split
    }
    /// Current lap valid.
    pub fn is_valid_lap(&self) -> bool {
        on(self.raw().is_valid_lap)
    }
    /// Laps the fuel lasts.
    pub fn fuel_estimated_laps(&self) -> f32 {
        self.raw().fuel_estimated_laps
    }
    /// Track status text.
    pub fn track_status(&self) -> String {
        utf16_z(&self.raw().track_status)
    }
    /// Mandatory pit stops left.
    pub fn missing_mandatory_pits(&self) -> i32 {
        self.raw().missing_mandatory_pits
    }
    /// Time of day, seconds since midnight (`Clock`).
    pub fn clock(&self) -> f32 {
        self.raw().clock
    }
    /// Left indicator on.
    pub fn direction_lights_left(&self) -> bool {
        on(self.raw().direction_lights_left)
    }
    /// Right indicator on.
    pub fn direction_lights_right(&self) -> bool {
        on(self.raw().direction_lights_right)
    }
    /// Yellow flag anywhere.
    pub fn global_yellow(&self) -> bool {
        on(self.raw().global_yellow)
    }
    /// Yellow flag in sectors 1, 2, 3.
    pub fn global_yellow_sectors(&self) -> [bool; 3] {
        let r = self.raw();
        [
            on(r.global_yellow1),
            on(r.global_yellow2),
            on(r.global_yellow3),
        ]
    }
    /// White flag.
    pub fn global_white(&self) -> bool {
        on(self.raw().global_white)
    }
    /// Green flag.
    pub fn global_green(&self) -> bool {
        on(self.raw().global_green)
    }
    /// Chequered flag.
    pub fn global_chequered(&self) -> bool {
        on(self.raw().global_chequered)
    }
    /// Red flag.
    pub fn global_red(&self) -> bool {
        on(self.raw().global_red)
    }
    /// Tyre set chosen in the MFD.
    pub fn mfd_tyre_set(&self) -> i32 {
        self.raw().mfd_tyre_set
    }
    /// Fuel to add chosen in the MFD, litres.
    pub fn mfd_fuel_to_add(&self) -> f32 {
        self.raw().mfd_fuel_to_add
    }
    /// Tyre pressures chosen in the MFD, FL FR RL RR.
    pub fn mfd_tyre_pressures(&self) -> [f32; 4] {
        let r = self.raw();
        [
            r.mfd_tyre_pressure_lf,
            r.mfd_tyre_pressure_rf,
            r.mfd_tyre_pressure_lr,
            r.mfd_tyre_pressure_rr,
        ]
    }
    /// Track grip status.
    pub fn track_grip(&self) -> TrackGripStatus {
        self.raw().track_grip_status.into()
    }
    /// Rain intensity now.
    pub fn rain_intensity(&self) -> RainIntensity {
        self.raw().rain_intensity.into()
    }
    /// Rain intensity in 10 minutes.
    pub fn rain_intensity_in_10min(&self) -> RainIntensity {
        self.raw().rain_intensity_in10min.into()
    }
    /// Rain intensity in 30 minutes.
    pub fn rain_intensity_in_30min(&self) -> RainIntensity {
        self.raw().rain_intensity_in30min.into()
    }
    /// Tyre set fitted.
    pub fn current_tyre_set(&self) -> i32 {
        self.raw().current_tyre_set
    }
    /// Tyre set of the strategy.
    pub fn strategy_tyre_set(&self) -> i32 {
        self.raw().strategy_tyre_set
    }
    /// Gap to the car ahead, ms.
    pub fn gap_ahead_ms(&self) -> i32 {
        self.raw().gap_ahead
    }
    /// Gap to the car behind, ms.
    pub fn gap_behind_ms(&self) -> i32 {
        self.raw().gap_behind
    }

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> GraphicsSnapshot {
        GraphicsSnapshot::from(self.raw())
    }
}

impl View<'_, Static> {
    static_common_accessors!();

    /// Online session.
    pub fn is_online(&self) -> bool {
        on(self.raw().is_online)
    }
    /// Dry tyre compound name.
    pub fn dry_tyres_name(&self) -> String {
        utf16_z(&self.raw().dry_tyres_name)
    }
    /// Wet tyre compound name.
    pub fn wet_tyres_name(&self) -> String {
        utf16_z(&self.raw().wet_tyres_name)
    }

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> StaticSnapshot {
        StaticSnapshot::from(self.raw())
    }
}

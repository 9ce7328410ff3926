export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  commerce: {
    Tables: {
      fraud_assessments: {
        Row: {
          assessed_at: string
          card_fingerprint: string | null
          client_ip: unknown
          currency: string
          customer_id: string
          decision: string
          email: string
          id: number
          order_id: string | null
          reviewed_at: string | null
          reviewed_by: string | null
          rules_fired: Json
          ruleset_version: number
          score: number
          total_minor: number
        }
        Insert: {
          assessed_at?: string
          card_fingerprint?: string | null
          client_ip?: unknown
          currency: string
          customer_id: string
          decision: string
          email: string
          id?: never
          order_id?: string | null
          reviewed_at?: string | null
          reviewed_by?: string | null
          rules_fired?: Json
          ruleset_version: number
          score: number
          total_minor: number
        }
        Update: {
          assessed_at?: string
          card_fingerprint?: string | null
          client_ip?: unknown
          currency?: string
          customer_id?: string
          decision?: string
          email?: string
          id?: never
          order_id?: string | null
          reviewed_at?: string | null
          reviewed_by?: string | null
          rules_fired?: Json
          ruleset_version?: number
          score?: number
          total_minor?: number
        }
        Relationships: [
          {
            foreignKeyName: "fraud_assessments_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "orders"
            referencedColumns: ["id"]
          },
        ]
      }
      fraud_rules: {
        Row: {
          active: boolean
          id: string
          kind: string
          params: Json
          points: number
          reason: string
          updated_at: string
        }
        Insert: {
          active?: boolean
          id: string
          kind: string
          params?: Json
          points: number
          reason: string
          updated_at?: string
        }
        Update: {
          active?: boolean
          id?: string
          kind?: string
          params?: Json
          points?: number
          reason?: string
          updated_at?: string
        }
        Relationships: []
      }
      fraud_thresholds: {
        Row: {
          block_at: number
          id: boolean
          review_at: number
        }
        Insert: {
          block_at?: number
          id?: boolean
          review_at?: number
        }
        Update: {
          block_at?: number
          id?: boolean
          review_at?: number
        }
        Relationships: []
      }
      inventory_levels: {
        Row: {
          allocated: number
          location_id: string
          on_hand: number
          reserved: number
          updated_at: string
          variant_id: string
        }
        Insert: {
          allocated?: number
          location_id: string
          on_hand?: number
          reserved?: number
          updated_at?: string
          variant_id: string
        }
        Update: {
          allocated?: number
          location_id?: string
          on_hand?: number
          reserved?: number
          updated_at?: string
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "inventory_levels_location_id_fkey"
            columns: ["location_id"]
            isOneToOne: false
            referencedRelation: "locations"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "inventory_levels_variant_id_fkey"
            columns: ["variant_id"]
            isOneToOne: false
            referencedRelation: "variants"
            referencedColumns: ["id"]
          },
        ]
      }
      ip_country_ranges: {
        Row: {
          country: string
          range_end: unknown
          range_start: unknown
        }
        Insert: {
          country: string
          range_end: unknown
          range_start: unknown
        }
        Update: {
          country?: string
          range_end?: unknown
          range_start?: unknown
        }
        Relationships: []
      }
      locations: {
        Row: {
          active: boolean
          code: string
          country: string
          id: string
          name: string
        }
        Insert: {
          active?: boolean
          code: string
          country: string
          id?: string
          name: string
        }
        Update: {
          active?: boolean
          code?: string
          country?: string
          id?: string
          name?: string
        }
        Relationships: []
      }
      lots: {
        Row: {
          allocated: number
          batch_number: string
          expires_on: string | null
          id: string
          location_id: string
          on_hand: number
          received_at: string
          variant_id: string
        }
        Insert: {
          allocated?: number
          batch_number: string
          expires_on?: string | null
          id?: string
          location_id: string
          on_hand?: number
          received_at?: string
          variant_id: string
        }
        Update: {
          allocated?: number
          batch_number?: string
          expires_on?: string | null
          id?: string
          location_id?: string
          on_hand?: number
          received_at?: string
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "lots_variant_id_location_id_fkey"
            columns: ["variant_id", "location_id"]
            isOneToOne: false
            referencedRelation: "inventory_levels"
            referencedColumns: ["variant_id", "location_id"]
          },
        ]
      }
      order_events: {
        Row: {
          actor: string | null
          details: Json
          from_status: string | null
          id: number
          kind: string
          occurred_at: string
          order_id: string
          to_status: string | null
          tx_id: unknown
        }
        Insert: {
          actor?: string | null
          details?: Json
          from_status?: string | null
          id?: never
          kind: string
          occurred_at?: string
          order_id: string
          to_status?: string | null
          tx_id?: unknown
        }
        Update: {
          actor?: string | null
          details?: Json
          from_status?: string | null
          id?: never
          kind?: string
          occurred_at?: string
          order_id?: string
          to_status?: string | null
          tx_id?: unknown
        }
        Relationships: [
          {
            foreignKeyName: "order_events_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "orders"
            referencedColumns: ["id"]
          },
        ]
      }
      order_lines: {
        Row: {
          discount_minor: number
          discounts: Json
          fulfilled_quantity: number
          id: string
          name: string
          order_id: string
          quantity: number
          shipping_discount_minor: number
          shipping_minor: number
          sku: string
          tax_minor: number
          total_minor: number
          unit_price_minor: number
          variant_id: string
        }
        Insert: {
          discount_minor?: number
          discounts?: Json
          fulfilled_quantity?: number
          id?: string
          name: string
          order_id: string
          quantity: number
          shipping_discount_minor?: number
          shipping_minor?: number
          sku: string
          tax_minor?: number
          total_minor: number
          unit_price_minor: number
          variant_id: string
        }
        Update: {
          discount_minor?: number
          discounts?: Json
          fulfilled_quantity?: number
          id?: string
          name?: string
          order_id?: string
          quantity?: number
          shipping_discount_minor?: number
          shipping_minor?: number
          sku?: string
          tax_minor?: number
          total_minor?: number
          unit_price_minor?: number
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "order_lines_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "orders"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "order_lines_variant_id_fkey"
            columns: ["variant_id"]
            isOneToOne: false
            referencedRelation: "variants"
            referencedColumns: ["id"]
          },
        ]
      }
      order_transitions: {
        Row: {
          from_status: string
          to_status: string
        }
        Insert: {
          from_status: string
          to_status: string
        }
        Update: {
          from_status?: string
          to_status?: string
        }
        Relationships: []
      }
      orders: {
        Row: {
          billing_country: string | null
          checkout_key: string | null
          client_ip: unknown
          coupon_code: string | null
          created_at: string
          currency: string
          customer_email: string
          customer_id: string
          discount_minor: number
          id: string
          ip_country: string | null
          number: string
          provider: string
          review_status: string
          shipping_discount_minor: number
          shipping_minor: number
          status: string
          subtotal_minor: number
          tax_minor: number
          total_minor: number
          updated_at: string
        }
        Insert: {
          billing_country?: string | null
          checkout_key?: string | null
          client_ip?: unknown
          coupon_code?: string | null
          created_at?: string
          currency: string
          customer_email: string
          customer_id: string
          discount_minor?: number
          id?: string
          ip_country?: string | null
          number?: string
          provider: string
          review_status?: string
          shipping_discount_minor?: number
          shipping_minor?: number
          status?: string
          subtotal_minor: number
          tax_minor?: number
          total_minor: number
          updated_at?: string
        }
        Update: {
          billing_country?: string | null
          checkout_key?: string | null
          client_ip?: unknown
          coupon_code?: string | null
          created_at?: string
          currency?: string
          customer_email?: string
          customer_id?: string
          discount_minor?: number
          id?: string
          ip_country?: string | null
          number?: string
          provider?: string
          review_status?: string
          shipping_discount_minor?: number
          shipping_minor?: number
          status?: string
          subtotal_minor?: number
          tax_minor?: number
          total_minor?: number
          updated_at?: string
        }
        Relationships: []
      }
      payment_events: {
        Row: {
          amount_minor: number | null
          details: Json
          from_status: string | null
          id: number
          kind: string
          occurred_at: string
          payment_id: string
          to_status: string | null
          webhook_event_id: number | null
        }
        Insert: {
          amount_minor?: number | null
          details?: Json
          from_status?: string | null
          id?: never
          kind: string
          occurred_at?: string
          payment_id: string
          to_status?: string | null
          webhook_event_id?: number | null
        }
        Update: {
          amount_minor?: number | null
          details?: Json
          from_status?: string | null
          id?: never
          kind?: string
          occurred_at?: string
          payment_id?: string
          to_status?: string | null
          webhook_event_id?: number | null
        }
        Relationships: [
          {
            foreignKeyName: "payment_events_payment_id_fkey"
            columns: ["payment_id"]
            isOneToOne: false
            referencedRelation: "payments"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "payment_events_webhook_event_fk"
            columns: ["webhook_event_id"]
            isOneToOne: false
            referencedRelation: "webhook_events"
            referencedColumns: ["id"]
          },
        ]
      }
      payments: {
        Row: {
          amount_minor: number
          captured_minor: number
          card_fingerprint: string | null
          checked_at: string | null
          checks: number
          created_at: string
          currency: string
          id: string
          order_id: string
          provider: string
          reference: string | null
          refunded_minor: number
          status: string
          updated_at: string
        }
        Insert: {
          amount_minor: number
          captured_minor?: number
          card_fingerprint?: string | null
          checked_at?: string | null
          checks?: number
          created_at?: string
          currency: string
          id?: string
          order_id: string
          provider: string
          reference?: string | null
          refunded_minor?: number
          status?: string
          updated_at?: string
        }
        Update: {
          amount_minor?: number
          captured_minor?: number
          card_fingerprint?: string | null
          checked_at?: string | null
          checks?: number
          created_at?: string
          currency?: string
          id?: string
          order_id?: string
          provider?: string
          reference?: string | null
          refunded_minor?: number
          status?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "payments_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "orders"
            referencedColumns: ["id"]
          },
        ]
      }
      products: {
        Row: {
          active: boolean
          category: string
          created_at: string
          description: string
          id: string
          name: string
          slug: string
        }
        Insert: {
          active?: boolean
          category: string
          created_at?: string
          description?: string
          id?: string
          name: string
          slug: string
        }
        Update: {
          active?: boolean
          category?: string
          created_at?: string
          description?: string
          id?: string
          name?: string
          slug?: string
        }
        Relationships: []
      }
      refunds: {
        Row: {
          amount_minor: number
          attempts: number
          automatic: boolean
          created_at: string
          currency: string
          id: string
          last_error: string | null
          order_id: string
          payment_id: string
          provider_reference: string | null
          reason: string
          requested_by: string | null
          restock: boolean
          status: string
          updated_at: string
        }
        Insert: {
          amount_minor: number
          attempts?: number
          automatic?: boolean
          created_at?: string
          currency: string
          id?: string
          last_error?: string | null
          order_id: string
          payment_id: string
          provider_reference?: string | null
          reason: string
          requested_by?: string | null
          restock?: boolean
          status?: string
          updated_at?: string
        }
        Update: {
          amount_minor?: number
          attempts?: number
          automatic?: boolean
          created_at?: string
          currency?: string
          id?: string
          last_error?: string | null
          order_id?: string
          payment_id?: string
          provider_reference?: string | null
          reason?: string
          requested_by?: string | null
          restock?: boolean
          status?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "refunds_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "orders"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "refunds_payment_id_fkey"
            columns: ["payment_id"]
            isOneToOne: false
            referencedRelation: "payments"
            referencedColumns: ["id"]
          },
        ]
      }
      reservations: {
        Row: {
          created_at: string
          expires_at: string
          id: string
          location_id: string
          order_id: string
          quantity: number
          settled_at: string | null
          status: string
          variant_id: string
        }
        Insert: {
          created_at?: string
          expires_at: string
          id?: string
          location_id: string
          order_id: string
          quantity: number
          settled_at?: string | null
          status?: string
          variant_id: string
        }
        Update: {
          created_at?: string
          expires_at?: string
          id?: string
          location_id?: string
          order_id?: string
          quantity?: number
          settled_at?: string | null
          status?: string
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "reservations_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "orders"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "reservations_variant_id_location_id_fkey"
            columns: ["variant_id", "location_id"]
            isOneToOne: false
            referencedRelation: "inventory_levels"
            referencedColumns: ["variant_id", "location_id"]
          },
        ]
      }
      settings: {
        Row: {
          id: boolean
          lot_expiry_alert_days: number
          paystack_check_minutes: number
          reservation_minutes: number
          ruleset_version: number
          tax_bps: Json
          updated_at: string
        }
        Insert: {
          id?: boolean
          lot_expiry_alert_days?: number
          paystack_check_minutes?: number
          reservation_minutes?: number
          ruleset_version?: number
          tax_bps?: Json
          updated_at?: string
        }
        Update: {
          id?: boolean
          lot_expiry_alert_days?: number
          paystack_check_minutes?: number
          reservation_minutes?: number
          ruleset_version?: number
          tax_bps?: Json
          updated_at?: string
        }
        Relationships: []
      }
      stock_alerts: {
        Row: {
          details: Json
          id: number
          kind: string
          lot_id: string | null
          raised_at: string
          resolved_at: string | null
          variant_id: string
        }
        Insert: {
          details?: Json
          id?: never
          kind: string
          lot_id?: string | null
          raised_at?: string
          resolved_at?: string | null
          variant_id: string
        }
        Update: {
          details?: Json
          id?: never
          kind?: string
          lot_id?: string | null
          raised_at?: string
          resolved_at?: string | null
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "stock_alerts_lot_id_fkey"
            columns: ["lot_id"]
            isOneToOne: false
            referencedRelation: "lots"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "stock_alerts_variant_id_fkey"
            columns: ["variant_id"]
            isOneToOne: false
            referencedRelation: "variants"
            referencedColumns: ["id"]
          },
        ]
      }
      stock_movements: {
        Row: {
          actor: string | null
          allocated_delta: number
          created_at: string
          id: number
          kind: string
          location_id: string
          lot_id: string | null
          on_hand_delta: number
          order_id: string | null
          quantity: number
          reason: string | null
          reservation_id: string | null
          reserved_delta: number
          variant_id: string
        }
        Insert: {
          actor?: string | null
          allocated_delta?: number
          created_at?: string
          id?: never
          kind: string
          location_id: string
          lot_id?: string | null
          on_hand_delta?: number
          order_id?: string | null
          quantity: number
          reason?: string | null
          reservation_id?: string | null
          reserved_delta?: number
          variant_id: string
        }
        Update: {
          actor?: string | null
          allocated_delta?: number
          created_at?: string
          id?: never
          kind?: string
          location_id?: string
          lot_id?: string | null
          on_hand_delta?: number
          order_id?: string | null
          quantity?: number
          reason?: string | null
          reservation_id?: string | null
          reserved_delta?: number
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "stock_movements_lot_id_fkey"
            columns: ["lot_id"]
            isOneToOne: false
            referencedRelation: "lots"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "stock_movements_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "orders"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "stock_movements_reservation_id_fkey"
            columns: ["reservation_id"]
            isOneToOne: false
            referencedRelation: "reservations"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "stock_movements_variant_id_location_id_fkey"
            columns: ["variant_id", "location_id"]
            isOneToOne: false
            referencedRelation: "inventory_levels"
            referencedColumns: ["variant_id", "location_id"]
          },
        ]
      }
      variant_costs: {
        Row: {
          unit_cost_minor: number
          updated_at: string
          variant_id: string
        }
        Insert: {
          unit_cost_minor: number
          updated_at?: string
          variant_id: string
        }
        Update: {
          unit_cost_minor?: number
          updated_at?: string
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "variant_costs_variant_id_fkey"
            columns: ["variant_id"]
            isOneToOne: true
            referencedRelation: "variants"
            referencedColumns: ["id"]
          },
        ]
      }
      variants: {
        Row: {
          active: boolean
          created_at: string
          currency: string
          id: string
          low_stock_threshold: number
          name: string
          price_minor: number
          product_id: string
          shipping_minor: number
          sku: string
        }
        Insert: {
          active?: boolean
          created_at?: string
          currency: string
          id?: string
          low_stock_threshold?: number
          name: string
          price_minor: number
          product_id: string
          shipping_minor?: number
          sku: string
        }
        Update: {
          active?: boolean
          created_at?: string
          currency?: string
          id?: string
          low_stock_threshold?: number
          name?: string
          price_minor?: number
          product_id?: string
          shipping_minor?: number
          sku?: string
        }
        Relationships: [
          {
            foreignKeyName: "variants_product_id_fkey"
            columns: ["product_id"]
            isOneToOne: false
            referencedRelation: "products"
            referencedColumns: ["id"]
          },
        ]
      }
      webhook_events: {
        Row: {
          attempts: number
          event_key: string
          event_type: string
          id: number
          outcome: string
          outcome_detail: string | null
          payload: Json
          processed_at: string | null
          provider: string
          received_at: string
        }
        Insert: {
          attempts?: number
          event_key: string
          event_type: string
          id?: never
          outcome?: string
          outcome_detail?: string | null
          payload: Json
          processed_at?: string | null
          provider: string
          received_at?: string
        }
        Update: {
          attempts?: number
          event_key?: string
          event_type?: string
          id?: never
          outcome?: string
          outcome_detail?: string | null
          payload?: Json
          processed_at?: string | null
          provider?: string
          received_at?: string
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      adjust_stock: {
        Args: {
          batch_number?: string
          delta: number
          location_code: string
          reason: string
          sku: string
        }
        Returns: Json
      }
      apply_payment_check: {
        Args: {
          amount_minor: number
          card_fingerprint?: string
          currency: string
          payment_id: string
          provider_status: string
          reference: string
        }
        Returns: string
      }
      apply_payment_update: {
        Args: {
          amount_minor: number
          card_fingerprint?: string
          currency: string
          new_status: string
          payment_id: string
          provider: string
          reference: string
          webhook_event_id: number
        }
        Returns: string
      }
      apply_refund_update: {
        Args: {
          amount_minor: number
          new_status: string
          provider: string
          refund_id: string
          refund_reference: string
          webhook_event_id: number
        }
        Returns: string
      }
      average_order_value: {
        Args: { window_from: string; window_to: string }
        Returns: {
          average_minor: number
          currency: string
          orders: number
        }[]
      }
      cancel_order: {
        Args: { order_id: string; reason?: string }
        Returns: Json
      }
      catalog_availability: {
        Args: { skus?: string[] }
        Returns: {
          available: number
          sku: string
        }[]
      }
      checkout: {
        Args: {
          billing_country?: string
          card_fingerprint?: string
          checkout_key?: string
          client_ip?: unknown
          coupon_code?: string
          ip_country?: string
          items: Json
          provider: string
        }
        Returns: Json
      }
      claim_provider_work: {
        Args: { max_items?: number }
        Returns: {
          amount_minor: number
          attempts: number
          currency: string
          id: string
          kind: string
          provider: string
          reference: string
        }[]
      }
      fulfil_order: { Args: { lines?: Json; order_id: string }; Returns: Json }
      mark_delivered: { Args: { order_id: string }; Returns: Json }
      order_feed: {
        Args: { after_event?: number; after_tx?: number; max_rows?: number }
        Returns: {
          coupon_code: string
          currency: string
          customer_email: string
          customer_id: string
          details: Json
          discount_minor: number
          event_id: number
          from_status: string
          kind: string
          lines: Json
          occurred_at: string
          order_id: string
          order_number: string
          placed_at: string
          status: string
          subtotal_minor: number
          to_status: string
          total_minor: number
          tx: number
        }[]
      }
      payment_by_reference: {
        Args: { provider: string; reference: string }
        Returns: {
          amount_minor: number
          currency: string
          customer_id: string
          order_id: string
          payment_id: string
          status: string
        }[]
      }
      payment_created: {
        Args: { payment_id: string; reference: string }
        Returns: undefined
      }
      payment_refundable_minor: {
        Args: { payment_id: string }
        Returns: number
      }
      payment_success_rate: {
        Args: { window_from: string; window_to: string }
        Returns: {
          attempts: number
          failed: number
          provider: string
          succeeded: number
          success_rate: number
        }[]
      }
      receive_stock: {
        Args: {
          batch_number?: string
          expires_on?: string
          location_code: string
          quantity: number
          reason?: string
          sku: string
        }
        Returns: Json
      }
      record_webhook_event: {
        Args: {
          event_key: string
          event_type: string
          payload: Json
          provider: string
        }
        Returns: {
          duplicate: boolean
          webhook_event_id: number
        }[]
      }
      refund_order: {
        Args: {
          amount_minor: number
          order_id: string
          reason: string
          restock?: boolean
        }
        Returns: Json
      }
      refund_payment: {
        Args: { amount_minor: number; payment_id: string; reason: string }
        Returns: string
      }
      refund_rate: {
        Args: { window_from: string; window_to: string }
        Returns: {
          captured_minor: number
          currency: string
          paid_orders: number
          refund_rate: number
          refunded_minor: number
          refunded_orders: number
        }[]
      }
      refund_send_failed: {
        Args: { error: string; refund_id: string }
        Returns: undefined
      }
      refund_sent: {
        Args: {
          provider_reference: string
          provider_status: string
          refund_id: string
        }
        Returns: undefined
      }
      revenue_by_day: {
        Args: { window_from: string; window_to: string }
        Returns: {
          currency: string
          day: string
          orders: number
          refunded_minor: number
          revenue_minor: number
        }[]
      }
      review_order: {
        Args: { approve: boolean; note?: string; order_id: string }
        Returns: Json
      }
      settle_webhook_event: {
        Args: { detail: string; outcome: string; webhook_event_id: number }
        Returns: string
      }
      stock_value: {
        Args: { window_from: string; window_to: string }
        Returns: {
          currency: string
          days_of_cover: number
          on_hand: number
          sku: string
          stock_value_minor: number
          unit_cost_minor: number
          units_sold: number
        }[]
      }
      top_products: {
        Args: { max_rows?: number; window_from: string; window_to: string }
        Returns: {
          currency: string
          name: string
          revenue_minor: number
          sku: string
          units: number
        }[]
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  energy: {
    Tables: {
      cities: {
        Row: {
          county: string
          deregulated: boolean
          geonames_id: number | null
          id: number
          latitude: number
          longitude: number
          market_status: string
          name: string
          population: number
          slug: string
          tdsp_id: number | null
          utility_name: string | null
        }
        Insert: {
          county: string
          deregulated: boolean
          geonames_id?: number | null
          id: number
          latitude: number
          longitude: number
          market_status: string
          name: string
          population?: number
          slug: string
          tdsp_id?: number | null
          utility_name?: string | null
        }
        Update: {
          county?: string
          deregulated?: boolean
          geonames_id?: number | null
          id?: number
          latitude?: number
          longitude?: number
          market_status?: string
          name?: string
          population?: number
          slug?: string
          tdsp_id?: number | null
          utility_name?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "cities_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      city_market_stats: {
        Row: {
          cheapest_cents_1000: number | null
          city_id: number
          computed_at: string
          median_cents_1000: number | null
          plan_count: number
          provider_count: number
          renewable_share: number | null
          tdsp_id: number
        }
        Insert: {
          cheapest_cents_1000?: number | null
          city_id: number
          computed_at?: string
          median_cents_1000?: number | null
          plan_count: number
          provider_count: number
          renewable_share?: number | null
          tdsp_id: number
        }
        Update: {
          cheapest_cents_1000?: number | null
          city_id?: number
          computed_at?: string
          median_cents_1000?: number | null
          plan_count?: number
          provider_count?: number
          renewable_share?: number | null
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "city_market_stats_city_id_fkey"
            columns: ["city_id"]
            isOneToOne: true
            referencedRelation: "cities"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "city_market_stats_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      county_tdsps: {
        Row: {
          county: string
          is_primary: boolean
          tdsp_id: number
        }
        Insert: {
          county: string
          is_primary?: boolean
          tdsp_id: number
        }
        Update: {
          county?: string
          is_primary?: boolean
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "county_tdsps_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      feed_cache: {
        Row: {
          body_sha256: string
          etag: string | null
          expires_at: string
          fetched_at: string
          last_modified: string | null
          url: string
        }
        Insert: {
          body_sha256: string
          etag?: string | null
          expires_at: string
          fetched_at?: string
          last_modified?: string | null
          url: string
        }
        Update: {
          body_sha256?: string
          etag?: string | null
          expires_at?: string
          fetched_at?: string
          last_modified?: string | null
          url?: string
        }
        Relationships: []
      }
      feed_sources: {
        Row: {
          enabled: boolean
          id: number
          name: string
          url: string
        }
        Insert: {
          enabled?: boolean
          id?: never
          name: string
          url: string
        }
        Update: {
          enabled?: boolean
          id?: never
          name?: string
          url?: string
        }
        Relationships: []
      }
      plan_comparisons: {
        Row: {
          city_id: number | null
          created_at: string
          filters: Json
          id: string
          monthly_usage_kwh: number[]
          plan_ids: number[] | null
          result_count: number
          session_id: string | null
          tdsp_id: number | null
          top_plan_ids: number[]
          usage_kwh: number
          user_id: string | null
          zip: string | null
        }
        Insert: {
          city_id?: number | null
          created_at?: string
          filters?: Json
          id?: string
          monthly_usage_kwh: number[]
          plan_ids?: number[] | null
          result_count: number
          session_id?: string | null
          tdsp_id?: number | null
          top_plan_ids?: number[]
          usage_kwh: number
          user_id?: string | null
          zip?: string | null
        }
        Update: {
          city_id?: number | null
          created_at?: string
          filters?: Json
          id?: string
          monthly_usage_kwh?: number[]
          plan_ids?: number[] | null
          result_count?: number
          session_id?: string | null
          tdsp_id?: number | null
          top_plan_ids?: number[]
          usage_kwh?: number
          user_id?: string | null
          zip?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "plan_comparisons_city_id_fkey"
            columns: ["city_id"]
            isOneToOne: false
            referencedRelation: "cities"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plan_comparisons_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      plan_import_rejections: {
        Row: {
          id_key: string | null
          import_id: number
          line: number
          reason: string
        }
        Insert: {
          id_key?: string | null
          import_id: number
          line: number
          reason: string
        }
        Update: {
          id_key?: string | null
          import_id?: number
          line?: number
          reason?: string
        }
        Relationships: [
          {
            foreignKeyName: "plan_import_rejections_import_id_fkey"
            columns: ["import_id"]
            isOneToOne: false
            referencedRelation: "plan_imports"
            referencedColumns: ["id"]
          },
        ]
      }
      plan_imports: {
        Row: {
          error: string | null
          feed_url: string | null
          finished_at: string
          id: number
          plans_deactivated: number
          plans_inserted: number
          plans_updated: number
          rows_accepted: number
          rows_rejected: number
          rows_total: number
          source: string
          started_at: string
          status: string
        }
        Insert: {
          error?: string | null
          feed_url?: string | null
          finished_at?: string
          id?: never
          plans_deactivated?: number
          plans_inserted?: number
          plans_updated?: number
          rows_accepted?: number
          rows_rejected?: number
          rows_total?: number
          source: string
          started_at?: string
          status: string
        }
        Update: {
          error?: string | null
          feed_url?: string | null
          finished_at?: string
          id?: never
          plans_deactivated?: number
          plans_inserted?: number
          plans_updated?: number
          rows_accepted?: number
          rows_rejected?: number
          rows_total?: number
          source?: string
          started_at?: string
          status?: string
        }
        Relationships: []
      }
      plan_prices: {
        Row: {
          import_id: number | null
          plan_id: number
          price_1000: number
          price_2000: number
          price_500: number
          recorded_at: string
        }
        Insert: {
          import_id?: number | null
          plan_id: number
          price_1000: number
          price_2000: number
          price_500: number
          recorded_at?: string
        }
        Update: {
          import_id?: number | null
          plan_id?: number
          price_1000?: number
          price_2000?: number
          price_500?: number
          recorded_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "plan_prices_import_id_fkey"
            columns: ["import_id"]
            isOneToOne: false
            referencedRelation: "plan_imports"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plan_prices_plan_id_fkey"
            columns: ["plan_id"]
            isOneToOne: false
            referencedRelation: "plans"
            referencedColumns: ["id"]
          },
        ]
      }
      plans: {
        Row: {
          active: boolean
          cancel_fee: string | null
          cancel_fee_amount: number | null
          deactivated_at: string | null
          enroll_phone: string | null
          enroll_url: string | null
          facts_url: string | null
          features: string[]
          fees_credits: string | null
          first_seen_at: string
          fixed: boolean
          has_bill_credit: boolean
          id: number
          language: string
          last_import_id: number | null
          last_seen_at: string
          min_usage_fees_credits: boolean
          name: string
          new_customer: boolean
          prepaid: boolean
          prepaid_url: string | null
          price_1000: number
          price_2000: number
          price_500: number
          promotion: boolean
          promotion_desc: string | null
          provider_id: number
          ptc_id_key: number
          rate_type: string | null
          rating: number | null
          renewable_pct: number
          special_terms: string | null
          tdsp_id: number
          term_months: number
          terms_url: string | null
          time_of_use: boolean
          website: string | null
          yrac_url: string | null
        }
        Insert: {
          active?: boolean
          cancel_fee?: string | null
          cancel_fee_amount?: number | null
          deactivated_at?: string | null
          enroll_phone?: string | null
          enroll_url?: string | null
          facts_url?: string | null
          features?: string[]
          fees_credits?: string | null
          first_seen_at?: string
          fixed?: boolean
          has_bill_credit?: boolean
          id?: never
          language?: string
          last_import_id?: number | null
          last_seen_at?: string
          min_usage_fees_credits?: boolean
          name: string
          new_customer?: boolean
          prepaid?: boolean
          prepaid_url?: string | null
          price_1000: number
          price_2000: number
          price_500: number
          promotion?: boolean
          promotion_desc?: string | null
          provider_id: number
          ptc_id_key: number
          rate_type?: string | null
          rating?: number | null
          renewable_pct?: number
          special_terms?: string | null
          tdsp_id: number
          term_months?: number
          terms_url?: string | null
          time_of_use?: boolean
          website?: string | null
          yrac_url?: string | null
        }
        Update: {
          active?: boolean
          cancel_fee?: string | null
          cancel_fee_amount?: number | null
          deactivated_at?: string | null
          enroll_phone?: string | null
          enroll_url?: string | null
          facts_url?: string | null
          features?: string[]
          fees_credits?: string | null
          first_seen_at?: string
          fixed?: boolean
          has_bill_credit?: boolean
          id?: never
          language?: string
          last_import_id?: number | null
          last_seen_at?: string
          min_usage_fees_credits?: boolean
          name?: string
          new_customer?: boolean
          prepaid?: boolean
          prepaid_url?: string | null
          price_1000?: number
          price_2000?: number
          price_500?: number
          promotion?: boolean
          promotion_desc?: string | null
          provider_id?: number
          ptc_id_key?: number
          rate_type?: string | null
          rating?: number | null
          renewable_pct?: number
          special_terms?: string | null
          tdsp_id?: number
          term_months?: number
          terms_url?: string | null
          time_of_use?: boolean
          website?: string | null
          yrac_url?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "plans_last_import_id_fkey"
            columns: ["last_import_id"]
            isOneToOne: false
            referencedRelation: "plan_imports"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plans_provider_id_fkey"
            columns: ["provider_id"]
            isOneToOne: false
            referencedRelation: "providers"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plans_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      providers: {
        Row: {
          active: boolean
          created_at: string
          enroll_phone: string | null
          id: number
          name: string
          name_key: string
          slug: string
          updated_at: string
          website: string | null
        }
        Insert: {
          active?: boolean
          created_at?: string
          enroll_phone?: string | null
          id?: never
          name: string
          name_key: string
          slug: string
          updated_at?: string
          website?: string | null
        }
        Update: {
          active?: boolean
          created_at?: string
          enroll_phone?: string | null
          id?: never
          name?: string
          name_key?: string
          slug?: string
          updated_at?: string
          website?: string | null
        }
        Relationships: []
      }
      tdsp_charges: {
        Row: {
          effective_on: string
          monthly_charge: number
          per_kwh_charge: number
          source: string
          tdsp_id: number
        }
        Insert: {
          effective_on: string
          monthly_charge: number
          per_kwh_charge: number
          source?: string
          tdsp_id: number
        }
        Update: {
          effective_on?: string
          monthly_charge?: number
          per_kwh_charge?: number
          source?: string
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "tdsp_charges_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      tdsp_market_stats: {
        Row: {
          cheapest_cents_1000: number | null
          computed_at: string
          median_cents_1000: number | null
          plan_count: number
          provider_count: number
          renewable_share: number | null
          tdsp_id: number
        }
        Insert: {
          cheapest_cents_1000?: number | null
          computed_at?: string
          median_cents_1000?: number | null
          plan_count: number
          provider_count: number
          renewable_share?: number | null
          tdsp_id: number
        }
        Update: {
          cheapest_cents_1000?: number | null
          computed_at?: string
          median_cents_1000?: number | null
          plan_count?: number
          provider_count?: number
          renewable_share?: number | null
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "tdsp_market_stats_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: true
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      tdsps: {
        Row: {
          active: boolean
          aliases: string[]
          code: string
          id: number
          name: string
          short_name: string
        }
        Insert: {
          active?: boolean
          aliases?: string[]
          code: string
          id: number
          name: string
          short_name: string
        }
        Update: {
          active?: boolean
          aliases?: string[]
          code?: string
          id?: number
          name?: string
          short_name?: string
        }
        Relationships: []
      }
      zip_tdsps: {
        Row: {
          is_primary: boolean
          tdsp_id: number
          zip: string
        }
        Insert: {
          is_primary?: boolean
          tdsp_id: number
          zip: string
        }
        Update: {
          is_primary?: boolean
          tdsp_id?: number
          zip?: string
        }
        Relationships: [
          {
            foreignKeyName: "zip_tdsps_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "zip_tdsps_zip_fkey"
            columns: ["zip"]
            isOneToOne: false
            referencedRelation: "zips"
            referencedColumns: ["zip"]
          },
        ]
      }
      zips: {
        Row: {
          city_id: number
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
          zip: string
        }
        Insert: {
          city_id: number
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
          zip: string
        }
        Update: {
          city_id?: number
          county?: string
          deregulated?: boolean
          latitude?: number
          longitude?: number
          zip?: string
        }
        Relationships: [
          {
            foreignKeyName: "zips_city_id_fkey"
            columns: ["city_id"]
            isOneToOne: false
            referencedRelation: "cities"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      catalog_entries: {
        Args: never
        Returns: {
          entry_type: string
          keywords: string
          label: string
          payload: Json
          popularity: number
          ref_id: string
          subtitle: string
        }[]
      }
      compare_plans: {
        Args: {
          city_id?: number
          filters?: Json
          max_results?: number
          plan_ids?: number[]
          plan_language?: string
          session_id?: string
          usage_kwh: number[]
          zip?: string
        }
        Returns: Json
      }
      detect_bill_credit: {
        Args: { p1000: number; p2000: number; p500: number }
        Returns: boolean
      }
      energy_charge: {
        Args: { p1000: number; p2000: number; p500: number; usage: number }
        Returns: number
      }
      feature_plan_counts: {
        Args: never
        Returns: {
          feature: string
          plan_count: number
        }[]
      }
      is_texas_zip: { Args: { candidate: string }; Returns: boolean }
      plan_reasons: {
        Args: {
          all_in_cents: number
          annual_cost: number
          best_cost: number
          plan: Database["energy"]["Tables"]["plans"]["Row"]
          plan_rank: number
        }
        Returns: Json
      }
      rank_plans: {
        Args: {
          filters: Json
          max_results: number
          monthly_kwh: number[]
          plan_ids: number[]
          plan_language: string
          tdsp_ids: number[]
        }
        Returns: Record<string, unknown>
      }
      resolve_location: {
        Args: { at_city_id: number; at_zip: string }
        Returns: {
          city_name: string
          county_name: string
          resolved_city_id: number
          tdsp_ids: number[]
          zip_code: string
        }[]
      }
      session_comparisons: {
        Args: { session_ids: string[] }
        Returns: {
          comparisons: number
          last_usage_kwh: number
          session_id: string
        }[]
      }
      tdsp_charges_on: {
        Args: { on_day?: string }
        Returns: {
          effective_on: string
          monthly_charge: number
          per_kwh_charge: number
          tdsp_id: number
        }[]
      }
      zip_facts: {
        Args: { zips: string[] }
        Returns: {
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
          zip: string
        }[]
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  graphql_public: {
    Tables: {
      [_ in never]: never
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      [_ in never]: never
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  leads: {
    Tables: {
      events: {
        Row: {
          actor_id: string | null
          actor_role: string | null
          details: Json
          from_value: string | null
          id: number
          lead_id: string
          note: string | null
          occurred_at: string
          reason_code: string | null
          to_value: string | null
          tx_id: unknown
          type: string
        }
        Insert: {
          actor_id?: string | null
          actor_role?: string | null
          details?: Json
          from_value?: string | null
          id?: never
          lead_id: string
          note?: string | null
          occurred_at?: string
          reason_code?: string | null
          to_value?: string | null
          tx_id?: unknown
          type: string
        }
        Update: {
          actor_id?: string | null
          actor_role?: string | null
          details?: Json
          from_value?: string | null
          id?: never
          lead_id?: string
          note?: string | null
          occurred_at?: string
          reason_code?: string | null
          to_value?: string | null
          tx_id?: unknown
          type?: string
        }
        Relationships: [
          {
            foreignKeyName: "events_lead_id_fkey"
            columns: ["lead_id"]
            isOneToOne: false
            referencedRelation: "leads"
            referencedColumns: ["id"]
          },
        ]
      }
      lead_recommendations: {
        Row: {
          created_at: string
          lead_id: string
          product_id: string
          rank: number
          reason: string
          reason_code: string
        }
        Insert: {
          created_at?: string
          lead_id: string
          product_id: string
          rank: number
          reason: string
          reason_code: string
        }
        Update: {
          created_at?: string
          lead_id?: string
          product_id?: string
          rank?: number
          reason?: string
          reason_code?: string
        }
        Relationships: [
          {
            foreignKeyName: "lead_recommendations_lead_id_fkey"
            columns: ["lead_id"]
            isOneToOne: false
            referencedRelation: "leads"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "lead_recommendations_product_id_fkey"
            columns: ["product_id"]
            isOneToOne: false
            referencedRelation: "products"
            referencedColumns: ["id"]
          },
        ]
      }
      leads: {
        Row: {
          accepted_at: string | null
          city: string | null
          company_name: string | null
          company_size: number | null
          consent: boolean
          consent_at: string | null
          consent_version: string | null
          converted_at: string | null
          created_at: string
          email: string | null
          first_name: string | null
          form_type: string | null
          hot_at: string | null
          id: string
          industry: string | null
          kind: string
          landing_page: string | null
          last_activity_at: string
          last_name: string | null
          latitude: number | null
          longitude: number | null
          move_in_date: string | null
          office_id: string | null
          owner_id: string | null
          phone: string | null
          plant_locations: Json
          reason_codes: string[] | null
          referrer: string | null
          routing: Json
          score: number
          score_reasons: Json
          scored_at: string | null
          search_text: string | null
          session_id: string | null
          source_id: string | null
          status: string
          status_changed_at: string
          submissions: number
          trust_score: number
          updated_at: string
          usage_kwh: number | null
          utm_campaign: string | null
          utm_content: string | null
          utm_medium: string | null
          utm_source: string | null
          utm_term: string | null
          zip: string | null
        }
        Insert: {
          accepted_at?: string | null
          city?: string | null
          company_name?: string | null
          company_size?: number | null
          consent?: boolean
          consent_at?: string | null
          consent_version?: string | null
          converted_at?: string | null
          created_at?: string
          email?: string | null
          first_name?: string | null
          form_type?: string | null
          hot_at?: string | null
          id?: string
          industry?: string | null
          kind: string
          landing_page?: string | null
          last_activity_at?: string
          last_name?: string | null
          latitude?: number | null
          longitude?: number | null
          move_in_date?: string | null
          office_id?: string | null
          owner_id?: string | null
          phone?: string | null
          plant_locations?: Json
          reason_codes?: string[] | null
          referrer?: string | null
          routing?: Json
          score?: number
          score_reasons?: Json
          scored_at?: string | null
          search_text?: string | null
          session_id?: string | null
          source_id?: string | null
          status?: string
          status_changed_at?: string
          submissions?: number
          trust_score?: number
          updated_at?: string
          usage_kwh?: number | null
          utm_campaign?: string | null
          utm_content?: string | null
          utm_medium?: string | null
          utm_source?: string | null
          utm_term?: string | null
          zip?: string | null
        }
        Update: {
          accepted_at?: string | null
          city?: string | null
          company_name?: string | null
          company_size?: number | null
          consent?: boolean
          consent_at?: string | null
          consent_version?: string | null
          converted_at?: string | null
          created_at?: string
          email?: string | null
          first_name?: string | null
          form_type?: string | null
          hot_at?: string | null
          id?: string
          industry?: string | null
          kind?: string
          landing_page?: string | null
          last_activity_at?: string
          last_name?: string | null
          latitude?: number | null
          longitude?: number | null
          move_in_date?: string | null
          office_id?: string | null
          owner_id?: string | null
          phone?: string | null
          plant_locations?: Json
          reason_codes?: string[] | null
          referrer?: string | null
          routing?: Json
          score?: number
          score_reasons?: Json
          scored_at?: string | null
          search_text?: string | null
          session_id?: string | null
          source_id?: string | null
          status?: string
          status_changed_at?: string
          submissions?: number
          trust_score?: number
          updated_at?: string
          usage_kwh?: number | null
          utm_campaign?: string | null
          utm_content?: string | null
          utm_medium?: string | null
          utm_source?: string | null
          utm_term?: string | null
          zip?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "leads_office_id_fkey"
            columns: ["office_id"]
            isOneToOne: false
            referencedRelation: "regional_offices"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "leads_source_id_fkey"
            columns: ["source_id"]
            isOneToOne: false
            referencedRelation: "sources"
            referencedColumns: ["id"]
          },
        ]
      }
      office_members: {
        Row: {
          active: boolean
          added_at: string
          office_id: string
          user_id: string
        }
        Insert: {
          active?: boolean
          added_at?: string
          office_id: string
          user_id: string
        }
        Update: {
          active?: boolean
          added_at?: string
          office_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "office_members_office_id_fkey"
            columns: ["office_id"]
            isOneToOne: false
            referencedRelation: "regional_offices"
            referencedColumns: ["id"]
          },
        ]
      }
      products: {
        Row: {
          active: boolean
          category: string
          code: string
          description: string | null
          id: string
          image_url: string | null
          name: string
          recommendation_details: string | null
        }
        Insert: {
          active?: boolean
          category: string
          code: string
          description?: string | null
          id?: string
          image_url?: string | null
          name: string
          recommendation_details?: string | null
        }
        Update: {
          active?: boolean
          category?: string
          code?: string
          description?: string | null
          id?: string
          image_url?: string | null
          name?: string
          recommendation_details?: string | null
        }
        Relationships: []
      }
      recommendation_rules: {
        Row: {
          active: boolean
          id: number
          industries: string[] | null
          min_company_size: number
          min_plants: number
          min_usage_kwh: number
          priority: number
          product_id: string
          reason: string
          reason_code: string
        }
        Insert: {
          active?: boolean
          id?: never
          industries?: string[] | null
          min_company_size?: number
          min_plants?: number
          min_usage_kwh?: number
          priority?: number
          product_id: string
          reason: string
          reason_code: string
        }
        Update: {
          active?: boolean
          id?: never
          industries?: string[] | null
          min_company_size?: number
          min_plants?: number
          min_usage_kwh?: number
          priority?: number
          product_id?: string
          reason?: string
          reason_code?: string
        }
        Relationships: [
          {
            foreignKeyName: "recommendation_rules_product_id_fkey"
            columns: ["product_id"]
            isOneToOne: false
            referencedRelation: "products"
            referencedColumns: ["id"]
          },
        ]
      }
      regional_offices: {
        Row: {
          active: boolean
          address: string | null
          city: string | null
          contact_email: string | null
          contact_phone: string | null
          created_at: string
          id: string
          is_default: boolean
          latitude: number | null
          longitude: number | null
          name: string
          region: string
          state: string | null
        }
        Insert: {
          active?: boolean
          address?: string | null
          city?: string | null
          contact_email?: string | null
          contact_phone?: string | null
          created_at?: string
          id?: string
          is_default?: boolean
          latitude?: number | null
          longitude?: number | null
          name: string
          region: string
          state?: string | null
        }
        Update: {
          active?: boolean
          address?: string | null
          city?: string | null
          contact_email?: string | null
          contact_phone?: string | null
          created_at?: string
          id?: string
          is_default?: boolean
          latitude?: number | null
          longitude?: number | null
          name?: string
          region?: string
          state?: string | null
        }
        Relationships: []
      }
      rollup_deltas: {
        Row: {
          accepted_reached: number
          converted_reached: number
          dimension: string
          hot_reached: number
          id: number
          key: string
          leads: number
          month: string
          office_id: string | null
          score_sum: number
          trust_sum: number
        }
        Insert: {
          accepted_reached: number
          converted_reached: number
          dimension: string
          hot_reached: number
          id?: never
          key: string
          leads: number
          month: string
          office_id?: string | null
          score_sum: number
          trust_sum: number
        }
        Update: {
          accepted_reached?: number
          converted_reached?: number
          dimension?: string
          hot_reached?: number
          id?: never
          key?: string
          leads?: number
          month?: string
          office_id?: string | null
          score_sum?: number
          trust_sum?: number
        }
        Relationships: []
      }
      rollup_monthly: {
        Row: {
          accepted_reached: number
          converted_reached: number
          dimension: string
          hot_reached: number
          id: number
          key: string
          leads: number
          month: string
          office_id: string | null
          score_sum: number
          trust_sum: number
        }
        Insert: {
          accepted_reached?: number
          converted_reached?: number
          dimension: string
          hot_reached?: number
          id?: never
          key: string
          leads?: number
          month: string
          office_id?: string | null
          score_sum?: number
          trust_sum?: number
        }
        Update: {
          accepted_reached?: number
          converted_reached?: number
          dimension?: string
          hot_reached?: number
          id?: never
          key?: string
          leads?: number
          month?: string
          office_id?: string | null
          score_sum?: number
          trust_sum?: number
        }
        Relationships: []
      }
      scoring_rules: {
        Row: {
          active: boolean
          created_at: string
          description: string | null
          dimension: string
          id: number
          operand: Json | null
          operator: string
          points: number
          reason_code: string
          signal: string
        }
        Insert: {
          active?: boolean
          created_at?: string
          description?: string | null
          dimension?: string
          id?: never
          operand?: Json | null
          operator: string
          points: number
          reason_code: string
          signal: string
        }
        Update: {
          active?: boolean
          created_at?: string
          description?: string | null
          dimension?: string
          id?: never
          operand?: Json | null
          operator?: string
          points?: number
          reason_code?: string
          signal?: string
        }
        Relationships: []
      }
      sources: {
        Row: {
          active: boolean
          created_at: string
          id: string
          last_crawled_at: string | null
          name: string
          trust_score: number
          type: string
          url: string | null
        }
        Insert: {
          active?: boolean
          created_at?: string
          id?: string
          last_crawled_at?: string | null
          name: string
          trust_score?: number
          type: string
          url?: string | null
        }
        Update: {
          active?: boolean
          created_at?: string
          id?: string
          last_crawled_at?: string | null
          name?: string
          trust_score?: number
          type?: string
          url?: string | null
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      capture: { Args: { lead: Json }; Returns: Json }
      dashboard_distribution: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_funnel: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_quality_matrix: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_summary: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_top_opportunities: {
        Args: { max_rows?: number; window_from: string; window_to: string }
        Returns: Json
      }
      hot_feed: {
        Args: { after_event?: number; after_tx?: number; max_rows?: number }
        Returns: {
          consent: boolean
          email: string
          event_id: number
          first_name: string
          kind: string
          lead_id: string
          occurred_at: string
          status: string
          tx: number
          usage_kwh: number
          zip: string
        }[]
      }
      import_leads: { Args: { rows: Json; source_name: string }; Returns: Json }
      rescore: { Args: { lead_ids?: string[] }; Returns: number }
      score_lead: { Args: { lead_id: string }; Returns: Json }
      zip_location: {
        Args: { zip: string }
        Returns: {
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
        }[]
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  marketing: {
    Tables: {
      automation_runs: {
        Row: {
          automation_id: string
          created_at: string
          id: string
          next_at: string
          next_position: number
          payload: Json
          status: string
          subscriber_id: string
          trigger_event: string
        }
        Insert: {
          automation_id: string
          created_at?: string
          id?: string
          next_at?: string
          next_position?: number
          payload?: Json
          status?: string
          subscriber_id: string
          trigger_event: string
        }
        Update: {
          automation_id?: string
          created_at?: string
          id?: string
          next_at?: string
          next_position?: number
          payload?: Json
          status?: string
          subscriber_id?: string
          trigger_event?: string
        }
        Relationships: [
          {
            foreignKeyName: "automation_runs_automation_id_fkey"
            columns: ["automation_id"]
            isOneToOne: false
            referencedRelation: "automations"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "automation_runs_subscriber_id_fkey"
            columns: ["subscriber_id"]
            isOneToOne: false
            referencedRelation: "subscribers"
            referencedColumns: ["id"]
          },
        ]
      }
      automation_steps: {
        Row: {
          automation_id: string
          condition: Json | null
          delay: string
          id: string
          position: number
          template_id: string
        }
        Insert: {
          automation_id: string
          condition?: Json | null
          delay?: string
          id?: string
          position: number
          template_id: string
        }
        Update: {
          automation_id?: string
          condition?: Json | null
          delay?: string
          id?: string
          position?: number
          template_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "automation_steps_automation_id_fkey"
            columns: ["automation_id"]
            isOneToOne: false
            referencedRelation: "automations"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "automation_steps_template_id_fkey"
            columns: ["template_id"]
            isOneToOne: false
            referencedRelation: "templates"
            referencedColumns: ["id"]
          },
        ]
      }
      automations: {
        Row: {
          active: boolean
          created_at: string
          id: string
          list_id: string | null
          name: string
          slug: string
          trigger: string
        }
        Insert: {
          active?: boolean
          created_at?: string
          id?: string
          list_id?: string | null
          name: string
          slug: string
          trigger: string
        }
        Update: {
          active?: boolean
          created_at?: string
          id?: string
          list_id?: string | null
          name?: string
          slug?: string
          trigger?: string
        }
        Relationships: [
          {
            foreignKeyName: "automations_list_id_fkey"
            columns: ["list_id"]
            isOneToOne: false
            referencedRelation: "lists"
            referencedColumns: ["id"]
          },
        ]
      }
      campaigns: {
        Row: {
          created_at: string
          created_by: string | null
          finished_at: string | null
          id: string
          list_id: string | null
          name: string
          segment_id: string | null
          send_at: string | null
          started_at: string | null
          status: string
          template_id: string
          updated_at: string
        }
        Insert: {
          created_at?: string
          created_by?: string | null
          finished_at?: string | null
          id?: string
          list_id?: string | null
          name: string
          segment_id?: string | null
          send_at?: string | null
          started_at?: string | null
          status?: string
          template_id: string
          updated_at?: string
        }
        Update: {
          created_at?: string
          created_by?: string | null
          finished_at?: string | null
          id?: string
          list_id?: string | null
          name?: string
          segment_id?: string | null
          send_at?: string | null
          started_at?: string | null
          status?: string
          template_id?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "campaigns_list_id_fkey"
            columns: ["list_id"]
            isOneToOne: false
            referencedRelation: "lists"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "campaigns_segment_fk"
            columns: ["segment_id"]
            isOneToOne: false
            referencedRelation: "segments"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "campaigns_template_id_fkey"
            columns: ["template_id"]
            isOneToOne: false
            referencedRelation: "templates"
            referencedColumns: ["id"]
          },
        ]
      }
      cart_items: {
        Row: {
          added_at: string
          cart_id: string
          quantity: number
          sku: string
        }
        Insert: {
          added_at?: string
          cart_id: string
          quantity: number
          sku: string
        }
        Update: {
          added_at?: string
          cart_id?: string
          quantity?: number
          sku?: string
        }
        Relationships: [
          {
            foreignKeyName: "cart_items_cart_id_fkey"
            columns: ["cart_id"]
            isOneToOne: false
            referencedRelation: "carts"
            referencedColumns: ["id"]
          },
        ]
      }
      cart_settings: {
        Row: {
          id: boolean
          idle_hours: number
          recovery_code_days: number
          recovery_promotion_id: string
        }
        Insert: {
          id?: boolean
          idle_hours?: number
          recovery_code_days?: number
          recovery_promotion_id: string
        }
        Update: {
          id?: boolean
          idle_hours?: number
          recovery_code_days?: number
          recovery_promotion_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "cart_settings_recovery_promotion_id_fkey"
            columns: ["recovery_promotion_id"]
            isOneToOne: false
            referencedRelation: "promotions"
            referencedColumns: ["id"]
          },
        ]
      }
      carts: {
        Row: {
          abandoned_at: string | null
          consent: boolean
          consent_at: string | null
          created_at: string
          email: string | null
          id: string
          last_activity_at: string
          order_id: string | null
          recovered_at: string | null
          recovery_coupon_id: string | null
          status: string
          token_hash: string | null
          user_id: string | null
        }
        Insert: {
          abandoned_at?: string | null
          consent?: boolean
          consent_at?: string | null
          created_at?: string
          email?: string | null
          id?: string
          last_activity_at?: string
          order_id?: string | null
          recovered_at?: string | null
          recovery_coupon_id?: string | null
          status?: string
          token_hash?: string | null
          user_id?: string | null
        }
        Update: {
          abandoned_at?: string | null
          consent?: boolean
          consent_at?: string | null
          created_at?: string
          email?: string | null
          id?: string
          last_activity_at?: string
          order_id?: string | null
          recovered_at?: string | null
          recovery_coupon_id?: string | null
          status?: string
          token_hash?: string | null
          user_id?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "carts_recovery_coupon_id_fkey"
            columns: ["recovery_coupon_id"]
            isOneToOne: false
            referencedRelation: "coupons"
            referencedColumns: ["id"]
          },
        ]
      }
      consent_log: {
        Row: {
          action: string
          consent_text_version: string | null
          id: number
          ip: unknown
          list_id: string | null
          occurred_at: string
          source: string
          subscriber_id: string
          user_agent: string | null
        }
        Insert: {
          action: string
          consent_text_version?: string | null
          id?: never
          ip?: unknown
          list_id?: string | null
          occurred_at?: string
          source: string
          subscriber_id: string
          user_agent?: string | null
        }
        Update: {
          action?: string
          consent_text_version?: string | null
          id?: never
          ip?: unknown
          list_id?: string | null
          occurred_at?: string
          source?: string
          subscriber_id?: string
          user_agent?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "consent_log_list_id_fkey"
            columns: ["list_id"]
            isOneToOne: false
            referencedRelation: "lists"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "consent_log_subscriber_id_fkey"
            columns: ["subscriber_id"]
            isOneToOne: false
            referencedRelation: "subscribers"
            referencedColumns: ["id"]
          },
        ]
      }
      coupon_customer_uses: {
        Row: {
          coupon_id: string
          customer_id: string
          uses: number
        }
        Insert: {
          coupon_id: string
          customer_id: string
          uses?: number
        }
        Update: {
          coupon_id?: string
          customer_id?: string
          uses?: number
        }
        Relationships: [
          {
            foreignKeyName: "coupon_customer_uses_coupon_id_fkey"
            columns: ["coupon_id"]
            isOneToOne: false
            referencedRelation: "coupons"
            referencedColumns: ["id"]
          },
        ]
      }
      coupons: {
        Row: {
          active: boolean
          batch: string | null
          code: string
          created_at: string
          expires_at: string | null
          id: string
          per_customer_limit: number | null
          promotion_id: string
          usage_limit: number | null
          uses: number
        }
        Insert: {
          active?: boolean
          batch?: string | null
          code: string
          created_at?: string
          expires_at?: string | null
          id?: string
          per_customer_limit?: number | null
          promotion_id: string
          usage_limit?: number | null
          uses?: number
        }
        Update: {
          active?: boolean
          batch?: string | null
          code?: string
          created_at?: string
          expires_at?: string | null
          id?: string
          per_customer_limit?: number | null
          promotion_id?: string
          usage_limit?: number | null
          uses?: number
        }
        Relationships: [
          {
            foreignKeyName: "coupons_promotion_id_fkey"
            columns: ["promotion_id"]
            isOneToOne: false
            referencedRelation: "promotions"
            referencedColumns: ["id"]
          },
        ]
      }
      customer_analytics: {
        Row: {
          avg_order_value: number | null
          changed_at: string
          changed_xid: unknown
          first_order_at: string | null
          last_order_at: string | null
          orders_count: number
          total_spent: number
          user_id: string
        }
        Insert: {
          avg_order_value?: number | null
          changed_at?: string
          changed_xid?: unknown
          first_order_at?: string | null
          last_order_at?: string | null
          orders_count?: number
          total_spent?: number
          user_id: string
        }
        Update: {
          avg_order_value?: number | null
          changed_at?: string
          changed_xid?: unknown
          first_order_at?: string | null
          last_order_at?: string | null
          orders_count?: number
          total_spent?: number
          user_id?: string
        }
        Relationships: []
      }
      customer_orders: {
        Row: {
          order_id: string
          placed_at: string
          recorded_at: string
          status: string
          total: number
          user_id: string
        }
        Insert: {
          order_id: string
          placed_at: string
          recorded_at?: string
          status: string
          total: number
          user_id: string
        }
        Update: {
          order_id?: string
          placed_at?: string
          recorded_at?: string
          status?: string
          total?: number
          user_id?: string
        }
        Relationships: []
      }
      earning_rules: {
        Row: {
          active: boolean
          cap_period: string | null
          cap_points: number | null
          code: string
          id: string
          kind: string
          points: number | null
          points_per_unit: number | null
          tier_multiplier: boolean
          valid_from: string | null
          valid_to: string | null
        }
        Insert: {
          active?: boolean
          cap_period?: string | null
          cap_points?: number | null
          code: string
          id?: string
          kind: string
          points?: number | null
          points_per_unit?: number | null
          tier_multiplier?: boolean
          valid_from?: string | null
          valid_to?: string | null
        }
        Update: {
          active?: boolean
          cap_period?: string | null
          cap_points?: number | null
          code?: string
          id?: string
          kind?: string
          points?: number | null
          points_per_unit?: number | null
          tier_multiplier?: boolean
          valid_from?: string | null
          valid_to?: string | null
        }
        Relationships: []
      }
      lists: {
        Row: {
          consent_text: string
          consent_version: string
          created_at: string
          description: string | null
          id: string
          name: string
          opt_in: string
          slug: string
        }
        Insert: {
          consent_text: string
          consent_version?: string
          created_at?: string
          description?: string | null
          id?: string
          name: string
          opt_in?: string
          slug: string
        }
        Update: {
          consent_text?: string
          consent_version?: string
          created_at?: string
          description?: string | null
          id?: string
          name?: string
          opt_in?: string
          slug?: string
        }
        Relationships: []
      }
      loyalty_accounts: {
        Row: {
          created_at: string
          points_owed: number
          reviewed_at: string | null
          tier: string
          tier_since: string
          user_id: string
        }
        Insert: {
          created_at?: string
          points_owed?: number
          reviewed_at?: string | null
          tier?: string
          tier_since?: string
          user_id: string
        }
        Update: {
          created_at?: string
          points_owed?: number
          reviewed_at?: string | null
          tier?: string
          tier_since?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "loyalty_accounts_tier_fkey"
            columns: ["tier"]
            isOneToOne: false
            referencedRelation: "loyalty_tiers"
            referencedColumns: ["code"]
          },
        ]
      }
      loyalty_tiers: {
        Row: {
          code: string
          multiplier: number
          rank: number
          threshold_points: number
          upgrade_bonus: number
        }
        Insert: {
          code: string
          multiplier: number
          rank: number
          threshold_points: number
          upgrade_bonus?: number
        }
        Update: {
          code?: string
          multiplier?: number
          rank?: number
          threshold_points?: number
          upgrade_bonus?: number
        }
        Relationships: []
      }
      message_events: {
        Row: {
          detail: Json
          event_key: string
          id: number
          message_id: string | null
          occurred_at: string
          type: string
        }
        Insert: {
          detail?: Json
          event_key: string
          id?: never
          message_id?: string | null
          occurred_at?: string
          type: string
        }
        Update: {
          detail?: Json
          event_key?: string
          id?: never
          message_id?: string | null
          occurred_at?: string
          type?: string
        }
        Relationships: [
          {
            foreignKeyName: "message_events_message_id_fkey"
            columns: ["message_id"]
            isOneToOne: false
            referencedRelation: "messages"
            referencedColumns: ["id"]
          },
        ]
      }
      messages: {
        Row: {
          attempts: number
          automation_run_id: string | null
          bounced_at: string | null
          campaign_id: string | null
          clicked_at: string | null
          consent_id: number | null
          created_at: string
          data: Json
          delivered_at: string | null
          id: string
          kind: string
          last_error: string | null
          leased_until: string | null
          links: string[]
          list_id: string | null
          next_attempt_at: string
          opened_at: string | null
          provider_message_id: string | null
          sent_at: string | null
          status: string
          step_position: number | null
          subscriber_id: string
          template_id: string
        }
        Insert: {
          attempts?: number
          automation_run_id?: string | null
          bounced_at?: string | null
          campaign_id?: string | null
          clicked_at?: string | null
          consent_id?: number | null
          created_at?: string
          data?: Json
          delivered_at?: string | null
          id?: string
          kind: string
          last_error?: string | null
          leased_until?: string | null
          links?: string[]
          list_id?: string | null
          next_attempt_at?: string
          opened_at?: string | null
          provider_message_id?: string | null
          sent_at?: string | null
          status?: string
          step_position?: number | null
          subscriber_id: string
          template_id: string
        }
        Update: {
          attempts?: number
          automation_run_id?: string | null
          bounced_at?: string | null
          campaign_id?: string | null
          clicked_at?: string | null
          consent_id?: number | null
          created_at?: string
          data?: Json
          delivered_at?: string | null
          id?: string
          kind?: string
          last_error?: string | null
          leased_until?: string | null
          links?: string[]
          list_id?: string | null
          next_attempt_at?: string
          opened_at?: string | null
          provider_message_id?: string | null
          sent_at?: string | null
          status?: string
          step_position?: number | null
          subscriber_id?: string
          template_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "messages_campaign_fk"
            columns: ["campaign_id"]
            isOneToOne: false
            referencedRelation: "campaigns"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "messages_consent_id_fkey"
            columns: ["consent_id"]
            isOneToOne: false
            referencedRelation: "consent_log"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "messages_list_id_fkey"
            columns: ["list_id"]
            isOneToOne: false
            referencedRelation: "lists"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "messages_run_fk"
            columns: ["automation_run_id"]
            isOneToOne: false
            referencedRelation: "automation_runs"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "messages_subscriber_id_fkey"
            columns: ["subscriber_id"]
            isOneToOne: false
            referencedRelation: "subscribers"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "messages_template_id_fkey"
            columns: ["template_id"]
            isOneToOne: false
            referencedRelation: "templates"
            referencedColumns: ["id"]
          },
        ]
      }
      order_baskets: {
        Row: {
          order_id: string
          product_id: string
          quantity: number
        }
        Insert: {
          order_id: string
          product_id: string
          quantity: number
        }
        Update: {
          order_id?: string
          product_id?: string
          quantity?: number
        }
        Relationships: [
          {
            foreignKeyName: "order_baskets_order_id_fkey"
            columns: ["order_id"]
            isOneToOne: false
            referencedRelation: "customer_orders"
            referencedColumns: ["order_id"]
          },
        ]
      }
      order_settings: {
        Row: {
          id: boolean
          min_pair_orders: number
          refund_window: string
          updated_at: string
        }
        Insert: {
          id?: boolean
          min_pair_orders?: number
          refund_window?: string
          updated_at?: string
        }
        Update: {
          id?: boolean
          min_pair_orders?: number
          refund_window?: string
          updated_at?: string
        }
        Relationships: []
      }
      points_ledger: {
        Row: {
          created_at: string
          id: number
          kind: string
          lot_id: number
          note: string | null
          points: number
          redemption_id: string | null
          user_id: string
        }
        Insert: {
          created_at?: string
          id?: never
          kind: string
          lot_id: number
          note?: string | null
          points: number
          redemption_id?: string | null
          user_id: string
        }
        Update: {
          created_at?: string
          id?: never
          kind?: string
          lot_id?: number
          note?: string | null
          points?: number
          redemption_id?: string | null
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "points_ledger_lot_id_fkey"
            columns: ["lot_id"]
            isOneToOne: false
            referencedRelation: "points_lots"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "points_ledger_redemption_fk"
            columns: ["redemption_id"]
            isOneToOne: false
            referencedRelation: "redemptions"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "points_ledger_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "loyalty_accounts"
            referencedColumns: ["user_id"]
          },
        ]
      }
      points_lots: {
        Row: {
          available_at: string
          clawed_points: number
          created_at: string
          expires_at: string
          id: number
          points: number
          remaining: number
          rule_id: string | null
          source_key: string
          status: string
          user_id: string
        }
        Insert: {
          available_at?: string
          clawed_points?: number
          created_at?: string
          expires_at: string
          id?: never
          points: number
          remaining: number
          rule_id?: string | null
          source_key: string
          status: string
          user_id: string
        }
        Update: {
          available_at?: string
          clawed_points?: number
          created_at?: string
          expires_at?: string
          id?: never
          points?: number
          remaining?: number
          rule_id?: string | null
          source_key?: string
          status?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "points_lots_rule_id_fkey"
            columns: ["rule_id"]
            isOneToOne: false
            referencedRelation: "earning_rules"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "points_lots_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "loyalty_accounts"
            referencedColumns: ["user_id"]
          },
        ]
      }
      price_alerts: {
        Row: {
          armed: boolean
          checked_at: string | null
          created_at: string
          id: string
          last_price: number | null
          notified_at: string | null
          plan_id: number | null
          target_monthly: number
          times_notified: number
          usage_kwh: number
          user_id: string
          zip: string
        }
        Insert: {
          armed?: boolean
          checked_at?: string | null
          created_at?: string
          id?: string
          last_price?: number | null
          notified_at?: string | null
          plan_id?: number | null
          target_monthly: number
          times_notified?: number
          usage_kwh: number
          user_id?: string
          zip: string
        }
        Update: {
          armed?: boolean
          checked_at?: string | null
          created_at?: string
          id?: string
          last_price?: number | null
          notified_at?: string | null
          plan_id?: number | null
          target_monthly?: number
          times_notified?: number
          usage_kwh?: number
          user_id?: string
          zip?: string
        }
        Relationships: []
      }
      product_pairs: {
        Row: {
          computed_at: string
          confidence: number
          lift: number
          orders_together: number
          product_id: string
          related_product_id: string
          support: number
        }
        Insert: {
          computed_at?: string
          confidence: number
          lift: number
          orders_together: number
          product_id: string
          related_product_id: string
          support: number
        }
        Update: {
          computed_at?: string
          confidence?: number
          lift?: number
          orders_together?: number
          product_id?: string
          related_product_id?: string
          support?: number
        }
        Relationships: []
      }
      promotion_redemptions: {
        Row: {
          amount_minor: number
          coupon_id: string | null
          created_at: string
          currency: string
          customer_id: string
          id: string
          order_id: string
          promotion_id: string
          returned_at: string | null
          status: string
        }
        Insert: {
          amount_minor: number
          coupon_id?: string | null
          created_at?: string
          currency: string
          customer_id: string
          id?: string
          order_id: string
          promotion_id: string
          returned_at?: string | null
          status?: string
        }
        Update: {
          amount_minor?: number
          coupon_id?: string | null
          created_at?: string
          currency?: string
          customer_id?: string
          id?: string
          order_id?: string
          promotion_id?: string
          returned_at?: string | null
          status?: string
        }
        Relationships: [
          {
            foreignKeyName: "promotion_redemptions_coupon_id_fkey"
            columns: ["coupon_id"]
            isOneToOne: false
            referencedRelation: "coupons"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "promotion_redemptions_promotion_id_fkey"
            columns: ["promotion_id"]
            isOneToOne: false
            referencedRelation: "promotions"
            referencedColumns: ["id"]
          },
        ]
      }
      promotions: {
        Row: {
          active: boolean
          amount_off_minor: number | null
          amount_used_minor: number
          automatic: boolean
          budget_amount_minor: number | null
          budget_uses: number | null
          buy_quantity: number | null
          categories: string[] | null
          created_at: string
          created_by: string | null
          currency: string | null
          ends_at: string | null
          first_order_only: boolean
          get_quantity: number | null
          id: string
          kind: string
          min_subtotal_minor: number
          name: string
          percent_off: number | null
          priority: number
          segment_id: string | null
          skus: string[] | null
          stacking: string
          starts_at: string
          updated_at: string
          uses: number
        }
        Insert: {
          active?: boolean
          amount_off_minor?: number | null
          amount_used_minor?: number
          automatic?: boolean
          budget_amount_minor?: number | null
          budget_uses?: number | null
          buy_quantity?: number | null
          categories?: string[] | null
          created_at?: string
          created_by?: string | null
          currency?: string | null
          ends_at?: string | null
          first_order_only?: boolean
          get_quantity?: number | null
          id?: string
          kind: string
          min_subtotal_minor?: number
          name: string
          percent_off?: number | null
          priority?: number
          segment_id?: string | null
          skus?: string[] | null
          stacking?: string
          starts_at?: string
          updated_at?: string
          uses?: number
        }
        Update: {
          active?: boolean
          amount_off_minor?: number | null
          amount_used_minor?: number
          automatic?: boolean
          budget_amount_minor?: number | null
          budget_uses?: number | null
          buy_quantity?: number | null
          categories?: string[] | null
          created_at?: string
          created_by?: string | null
          currency?: string | null
          ends_at?: string | null
          first_order_only?: boolean
          get_quantity?: number | null
          id?: string
          kind?: string
          min_subtotal_minor?: number
          name?: string
          percent_off?: number | null
          priority?: number
          segment_id?: string | null
          skus?: string[] | null
          stacking?: string
          starts_at?: string
          updated_at?: string
          uses?: number
        }
        Relationships: [
          {
            foreignKeyName: "promotions_segment_id_fkey"
            columns: ["segment_id"]
            isOneToOne: false
            referencedRelation: "segments"
            referencedColumns: ["id"]
          },
        ]
      }
      redemptions: {
        Row: {
          created_at: string
          id: string
          idempotency_key: string
          points: number
          reward_id: string
          user_id: string
        }
        Insert: {
          created_at?: string
          id?: string
          idempotency_key: string
          points: number
          reward_id: string
          user_id: string
        }
        Update: {
          created_at?: string
          id?: string
          idempotency_key?: string
          points?: number
          reward_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "redemptions_reward_id_fkey"
            columns: ["reward_id"]
            isOneToOne: false
            referencedRelation: "rewards"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "redemptions_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "loyalty_accounts"
            referencedColumns: ["user_id"]
          },
        ]
      }
      rewards: {
        Row: {
          active: boolean
          cost_points: number
          created_at: string
          id: string
          name: string
          slug: string
        }
        Insert: {
          active?: boolean
          cost_points: number
          created_at?: string
          id?: string
          name: string
          slug: string
        }
        Update: {
          active?: boolean
          cost_points?: number
          created_at?: string
          id?: string
          name?: string
          slug?: string
        }
        Relationships: []
      }
      segment_members: {
        Row: {
          added_at: string
          segment_id: string
          user_id: string
        }
        Insert: {
          added_at?: string
          segment_id: string
          user_id: string
        }
        Update: {
          added_at?: string
          segment_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "segment_members_segment_id_fkey"
            columns: ["segment_id"]
            isOneToOne: false
            referencedRelation: "segments"
            referencedColumns: ["id"]
          },
        ]
      }
      segments: {
        Row: {
          applied_snapshot: unknown
          avg_order_value: number | null
          compiled: string
          created_at: string
          definition: Json
          id: string
          member_count: number
          name: string
          predefined: boolean
          refreshed_at: string | null
          revenue: number
          slug: string
        }
        Insert: {
          applied_snapshot?: unknown
          avg_order_value?: number | null
          compiled: string
          created_at?: string
          definition: Json
          id?: string
          member_count?: number
          name: string
          predefined?: boolean
          refreshed_at?: string | null
          revenue?: number
          slug: string
        }
        Update: {
          applied_snapshot?: unknown
          avg_order_value?: number | null
          compiled?: string
          created_at?: string
          definition?: Json
          id?: string
          member_count?: number
          name?: string
          predefined?: boolean
          refreshed_at?: string | null
          revenue?: number
          slug?: string
        }
        Relationships: []
      }
      subscribers: {
        Row: {
          attributes: Json
          blocklisted_reason: string | null
          created_at: string
          email: string
          hard_bounced_at: string | null
          id: string
          name: string | null
          soft_bounces: number
          status: string
          updated_at: string
          user_id: string | null
        }
        Insert: {
          attributes?: Json
          blocklisted_reason?: string | null
          created_at?: string
          email: string
          hard_bounced_at?: string | null
          id?: string
          name?: string | null
          soft_bounces?: number
          status?: string
          updated_at?: string
          user_id?: string | null
        }
        Update: {
          attributes?: Json
          blocklisted_reason?: string | null
          created_at?: string
          email?: string
          hard_bounced_at?: string | null
          id?: string
          name?: string | null
          soft_bounces?: number
          status?: string
          updated_at?: string
          user_id?: string | null
        }
        Relationships: []
      }
      subscriptions: {
        Row: {
          confirmed_at: string | null
          created_at: string
          list_id: string
          source: string
          status: string
          subscriber_id: string
          unsubscribed_at: string | null
        }
        Insert: {
          confirmed_at?: string | null
          created_at?: string
          list_id: string
          source: string
          status: string
          subscriber_id: string
          unsubscribed_at?: string | null
        }
        Update: {
          confirmed_at?: string | null
          created_at?: string
          list_id?: string
          source?: string
          status?: string
          subscriber_id?: string
          unsubscribed_at?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "subscriptions_list_id_fkey"
            columns: ["list_id"]
            isOneToOne: false
            referencedRelation: "lists"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "subscriptions_subscriber_id_fkey"
            columns: ["subscriber_id"]
            isOneToOne: false
            referencedRelation: "subscribers"
            referencedColumns: ["id"]
          },
        ]
      }
      templates: {
        Row: {
          body_html: string
          body_text: string
          created_at: string
          id: string
          kind: string
          name: string
          slug: string
          subject: string
          updated_at: string
          variables: string[]
        }
        Insert: {
          body_html: string
          body_text: string
          created_at?: string
          id?: string
          kind?: string
          name: string
          slug: string
          subject: string
          updated_at?: string
          variables?: string[]
        }
        Update: {
          body_html?: string
          body_text?: string
          created_at?: string
          id?: string
          kind?: string
          name?: string
          slug?: string
          subject?: string
          updated_at?: string
          variables?: string[]
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      advance_automations: { Args: { batch_size?: number }; Returns: number }
      campaign_stats: { Args: { campaign_id: string }; Returns: Json }
      check_price_alerts: { Args: never; Returns: number }
      claim_messages: {
        Args: { batch_size?: number; lease_seconds?: number }
        Returns: {
          attempts: number
          body_html: string
          body_text: string
          data: Json
          email: string
          kind: string
          list_id: string
          list_name: string
          message_id: string
          queued_at: string
          subject: string
          subscriber_attributes: Json
          subscriber_id: string
          subscriber_name: string
          template_slug: string
          variables: string[]
        }[]
      }
      compile_segment: { Args: { definition: Json }; Returns: string }
      confirm_subscription: {
        Args: {
          client_ip?: unknown
          client_user_agent?: string
          list_id: string
          subscriber_id: string
        }
        Returns: Json
      }
      frequently_bought_together: {
        Args: { max_rows?: number; product_id: string }
        Returns: {
          confidence: number
          lift: number
          orders_together: number
          related_product_id: string
          support: number
        }[]
      }
      generate_coupons: {
        Args: {
          batch?: string
          code_count: number
          prefix?: string
          promotion_id: string
        }
        Returns: {
          code: string
        }[]
      }
      loyalty_clawback: {
        Args: { refunded_share?: number; source_key: string }
        Returns: number
      }
      loyalty_earn: {
        Args: {
          account_user: string
          amount?: number
          lot_lifetime?: string
          pending_until?: string
          rule_code: string
          source_key: string
        }
        Returns: Json
      }
      loyalty_evaluate_tiers: {
        Args: { allow_downgrade?: boolean; user_ids?: string[] }
        Returns: number
      }
      loyalty_me: { Args: never; Returns: Json }
      loyalty_redeem: {
        Args: {
          account_user: string
          idempotency_key: string
          reward_slug: string
        }
        Returns: Json
      }
      loyalty_release_due: { Args: never; Returns: number }
      loyalty_review: { Args: never; Returns: number }
      nurture_hot_lead: {
        Args: { lead: Json; list_slug?: string }
        Returns: Json
      }
      promotion_coupons: {
        Args: { after_code?: string; max_rows?: number; promotion_id: string }
        Returns: {
          active: boolean
          batch: string
          code: string
          created_at: string
          id: string
          per_customer_limit: number
          redemptions: number
          returned: number
          usage_limit: number
          uses: number
        }[]
      }
      recompute_customer_analytics: {
        Args: { user_ids?: string[] }
        Returns: number
      }
      record_click: {
        Args: { link_position: number; message_id: string; target: string }
        Returns: string
      }
      record_message_events: { Args: { events: Json }; Returns: number }
      record_orders: { Args: { orders: Json }; Returns: number }
      refresh_product_pairs: { Args: never; Returns: number }
      refresh_segments: {
        Args: { full_refresh?: boolean; only_segment?: string }
        Returns: number
      }
      run_campaigns: { Args: never; Returns: number }
      segment_stats: { Args: never; Returns: Json }
      set_cart_items: { Args: { cart_id: string; items: Json }; Returns: Json }
      settle_messages: {
        Args: { max_attempts?: number; outcomes: Json }
        Returns: number
      }
      subscribe: {
        Args: {
          account_id?: string
          client_ip?: unknown
          client_user_agent?: string
          email: string
          list_slug: string
          source?: string
          subscriber_name?: string
        }
        Returns: Json
      }
      trigger_automations: {
        Args: {
          payload?: Json
          subscriber_id: string
          trigger_event: string
          trigger_name: string
        }
        Returns: number
      }
      unsubscribe: {
        Args: { list_id?: string; source?: string; subscriber_id: string }
        Returns: number
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  public: {
    Tables: {
      profiles: {
        Row: {
          created_at: string
          display_name: string | null
          email: string | null
          id: string
          marketing_opt_in: boolean
          phone: string | null
          updated_at: string
        }
        Insert: {
          created_at?: string
          display_name?: string | null
          email?: string | null
          id: string
          marketing_opt_in?: boolean
          phone?: string | null
          updated_at?: string
        }
        Update: {
          created_at?: string
          display_name?: string | null
          email?: string | null
          id?: string
          marketing_opt_in?: boolean
          phone?: string | null
          updated_at?: string
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      custom_access_token_hook: { Args: { event: Json }; Returns: Json }
      hook_password_verification_attempt: {
        Args: { event: Json }
        Returns: Json
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  tracking: {
    Tables: {
      events: {
        Row: {
          category: string | null
          element_id: string | null
          id: string
          occurred_at: string
          previous_value: string | null
          props: Json
          received_at: string
          session_id: string
          time_spent_ms: number | null
          type: string
          value: string | null
        }
        Insert: {
          category?: string | null
          element_id?: string | null
          id: string
          occurred_at: string
          previous_value?: string | null
          props?: Json
          received_at?: string
          session_id: string
          time_spent_ms?: number | null
          type: string
          value?: string | null
        }
        Update: {
          category?: string | null
          element_id?: string | null
          id?: string
          occurred_at?: string
          previous_value?: string | null
          props?: Json
          received_at?: string
          session_id?: string
          time_spent_ms?: number | null
          type?: string
          value?: string | null
        }
        Relationships: []
      }
      funnel_steps: {
        Row: {
          category: string | null
          event_type: string | null
          min_completion: number | null
          name: string
          position: number
          snapshot_trigger: string | null
          source: string
        }
        Insert: {
          category?: string | null
          event_type?: string | null
          min_completion?: number | null
          name: string
          position: number
          snapshot_trigger?: string | null
          source: string
        }
        Update: {
          category?: string | null
          event_type?: string | null
          min_completion?: number | null
          name?: string
          position?: number
          snapshot_trigger?: string | null
          source?: string
        }
        Relationships: []
      }
      performance_metrics: {
        Row: {
          extra: Json
          id: string
          name: string
          occurred_at: string
          received_at: string
          route: string | null
          session_id: string | null
          value: number
        }
        Insert: {
          extra?: Json
          id: string
          name: string
          occurred_at: string
          received_at?: string
          route?: string | null
          session_id?: string | null
          value: number
        }
        Update: {
          extra?: Json
          id?: string
          name?: string
          occurred_at?: string
          received_at?: string
          route?: string | null
          session_id?: string | null
          value?: number
        }
        Relationships: []
      }
      rollup_events: {
        Row: {
          bucket: string
          category: string
          events: number
          grain: string
          time_spent_ms: number
          type: string
        }
        Insert: {
          bucket: string
          category?: string
          events: number
          grain: string
          time_spent_ms?: number
          type: string
        }
        Update: {
          bucket?: string
          category?: string
          events?: number
          grain?: string
          time_spent_ms?: number
          type?: string
        }
        Relationships: []
      }
      rollup_funnel: {
        Row: {
          bucket: string
          grain: string
          position: number
          sessions: number
        }
        Insert: {
          bucket: string
          grain: string
          position: number
          sessions: number
        }
        Update: {
          bucket?: string
          grain?: string
          position?: number
          sessions?: number
        }
        Relationships: []
      }
      rollup_metric_bins: {
        Row: {
          bin: number
          bucket: string
          grain: string
          name: string
          samples: number
        }
        Insert: {
          bin: number
          bucket: string
          grain: string
          name: string
          samples: number
        }
        Update: {
          bin?: number
          bucket?: string
          grain?: string
          name?: string
          samples?: number
        }
        Relationships: []
      }
      rollup_metrics: {
        Row: {
          bucket: string
          grain: string
          name: string
          p50: number | null
          p95: number | null
          p99: number | null
          samples: number
          value_max: number | null
          value_min: number | null
          value_sum: number
        }
        Insert: {
          bucket: string
          grain: string
          name: string
          p50?: number | null
          p95?: number | null
          p99?: number | null
          samples: number
          value_max?: number | null
          value_min?: number | null
          value_sum: number
        }
        Update: {
          bucket?: string
          grain?: string
          name?: string
          p50?: number | null
          p95?: number | null
          p99?: number | null
          samples?: number
          value_max?: number | null
          value_min?: number | null
          value_sum?: number
        }
        Relationships: []
      }
      rollup_selections: {
        Row: {
          bucket: string
          category: string
          grain: string
          selections: number
          value: string
        }
        Insert: {
          bucket: string
          category?: string
          grain: string
          selections: number
          value: string
        }
        Update: {
          bucket?: string
          category?: string
          grain?: string
          selections?: number
          value?: string
        }
        Relationships: []
      }
      rollup_sessions: {
        Row: {
          bucket: string
          conversions: number
          device_type: string
          duration_ms_sum: number
          grain: string
          orders: number
          sessions: number
        }
        Insert: {
          bucket: string
          conversions: number
          device_type: string
          duration_ms_sum: number
          grain: string
          orders: number
          sessions: number
        }
        Update: {
          bucket?: string
          conversions?: number
          device_type?: string
          duration_ms_sum?: number
          grain?: string
          orders?: number
          sessions?: number
        }
        Relationships: []
      }
      rollup_snapshots: {
        Row: {
          bucket: string
          completed: number
          grain: string
          price_max: number | null
          price_min: number | null
          price_sum: number
          priced: number
          snapshots: number
          trigger: string
        }
        Insert: {
          bucket: string
          completed: number
          grain: string
          price_max?: number | null
          price_min?: number | null
          price_sum?: number
          priced: number
          snapshots: number
          trigger: string
        }
        Update: {
          bucket?: string
          completed?: number
          grain?: string
          price_max?: number | null
          price_min?: number | null
          price_sum?: number
          priced?: number
          snapshots?: number
          trigger?: string
        }
        Relationships: []
      }
      rollup_state: {
        Row: {
          last_rows: number | null
          last_run_at: string | null
          name: string
          processed_until: string
        }
        Insert: {
          last_rows?: number | null
          last_run_at?: string | null
          name: string
          processed_until: string
        }
        Update: {
          last_rows?: number | null
          last_run_at?: string | null
          name?: string
          processed_until?: string
        }
        Relationships: []
      }
      sessions: {
        Row: {
          completed_at: string | null
          completion_level: number
          completion_state: string | null
          device_type: string
          ended_at: string | null
          id: string
          last_event_at: string | null
          last_seen_at: string
          referrer: string | null
          started_at: string
          steps_mask: number
          user_id: string | null
          utm: Json
          viewport_height: number | null
          viewport_width: number | null
          visitor_id: string | null
        }
        Insert: {
          completed_at?: string | null
          completion_level?: number
          completion_state?: string | null
          device_type?: string
          ended_at?: string | null
          id: string
          last_event_at?: string | null
          last_seen_at?: string
          referrer?: string | null
          started_at?: string
          steps_mask?: number
          user_id?: string | null
          utm?: Json
          viewport_height?: number | null
          viewport_width?: number | null
          visitor_id?: string | null
        }
        Update: {
          completed_at?: string | null
          completion_level?: number
          completion_state?: string | null
          device_type?: string
          ended_at?: string | null
          id?: string
          last_event_at?: string | null
          last_seen_at?: string
          referrer?: string | null
          started_at?: string
          steps_mask?: number
          user_id?: string | null
          utm?: Json
          viewport_height?: number | null
          viewport_width?: number | null
          visitor_id?: string | null
        }
        Relationships: []
      }
      settings: {
        Row: {
          id: boolean
          partitions_ahead: number
          retention_days: number
          updated_at: string
        }
        Insert: {
          id?: boolean
          partitions_ahead?: number
          retention_days?: number
          updated_at?: string
        }
        Update: {
          id?: boolean
          partitions_ahead?: number
          retention_days?: number
          updated_at?: string
        }
        Relationships: []
      }
      snapshots: {
        Row: {
          completion_percentage: number | null
          configuration: Json
          id: string
          occurred_at: string
          received_at: string
          session_id: string
          total_price: number | null
          trigger: string
        }
        Insert: {
          completion_percentage?: number | null
          configuration: Json
          id: string
          occurred_at: string
          received_at?: string
          session_id: string
          total_price?: number | null
          trigger: string
        }
        Update: {
          completion_percentage?: number | null
          configuration?: Json
          id?: string
          occurred_at?: string
          received_at?: string
          session_id?: string
          total_price?: number | null
          trigger?: string
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      analytics_funnel: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      analytics_grain: {
        Args: { window_from: string; window_to: string }
        Returns: string
      }
      analytics_journey: { Args: { session_id: string }; Returns: Json }
      analytics_overview: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      analytics_performance: {
        Args: { metric_name: string; window_from: string; window_to: string }
        Returns: Json
      }
      analytics_popular_configs: {
        Args: { max_rows: number; window_from: string; window_to: string }
        Returns: Json
      }
      analytics_realtime: { Args: never; Returns: Json }
      apply_retention: { Args: never; Returns: number }
      ensure_event_partitions: {
        Args: { from_day?: string; to_day?: string }
        Returns: number
      }
      event_partition_name: { Args: { day: string }; Returns: string }
      ingest_event_batches: {
        Args: { event_batches: Json }
        Returns: {
          batch: number
          stored: number
        }[]
      }
      ingest_events: {
        Args: {
          events: Json
          session: Json
          session_id: string
          user_id: string
        }
        Returns: number
      }
      ingest_metrics: {
        Args: {
          metrics: Json
          session: Json
          session_id: string
          user_id: string
        }
        Returns: number
      }
      ingest_snapshots: {
        Args: {
          session: Json
          session_id: string
          snapshots: Json
          user_id: string
        }
        Returns: number
      }
      maintain_partitions: { Args: never; Returns: number }
      metric_bin: { Args: { value: number }; Returns: number }
      metric_bin_value: { Args: { bin: number }; Returns: number }
      rebuild_rollups: { Args: never; Returns: number }
      rollup_events_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_horizon: { Args: never; Returns: string }
      rollup_metric_percentiles: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_metrics_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_selections_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_session_days: { Args: { days: string[] }; Returns: number }
      rollup_sessions_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_snapshots_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_window: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollups_processed_until: { Args: never; Returns: string }
      run_rollups: { Args: never; Returns: number }
      secure_event_partition: { Args: { part: unknown }; Returns: undefined }
      session_engagement: {
        Args: { session_ids: string[] }
        Returns: {
          pages: number
          return_visits: number
          session_id: string
        }[]
      }
      touch_session: {
        Args: {
          ended: boolean
          first_at: string
          last_at: string
          level: number
          session: Json
          session_id: string
          steps: number
          user_id: string
        }
        Returns: undefined
      }
      touch_sessions: {
        Args: {
          touches: Database["tracking"]["CompositeTypes"]["session_touch"][]
        }
        Returns: undefined
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      session_touch: {
        session_id: string | null
        user_id: string | null
        session: Json | null
        first_at: string | null
        last_at: string | null
        steps: number | null
        level: number | null
        ended: boolean | null
      }
    }
  }
  vending: {
    Tables: {
      account_ledger: {
        Row: {
          amount_kobo: number
          balance_after_kobo: number
          created_at: string
          created_by: string | null
          customer_id: string
          id: number
          kind: string
          note: string | null
          vend_id: string | null
        }
        Insert: {
          amount_kobo: number
          balance_after_kobo: number
          created_at?: string
          created_by?: string | null
          customer_id: string
          id?: never
          kind: string
          note?: string | null
          vend_id?: string | null
        }
        Update: {
          amount_kobo?: number
          balance_after_kobo?: number
          created_at?: string
          created_by?: string | null
          customer_id?: string
          id?: never
          kind?: string
          note?: string | null
          vend_id?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "account_ledger_customer_id_fkey"
            columns: ["customer_id"]
            isOneToOne: false
            referencedRelation: "accounts"
            referencedColumns: ["customer_id"]
          },
          {
            foreignKeyName: "account_ledger_vend_id_fkey"
            columns: ["vend_id"]
            isOneToOne: false
            referencedRelation: "vends"
            referencedColumns: ["id"]
          },
        ]
      }
      accounts: {
        Row: {
          balance_kobo: number
          created_at: string
          customer_id: string
          updated_at: string
        }
        Insert: {
          balance_kobo?: number
          created_at?: string
          customer_id: string
          updated_at?: string
        }
        Update: {
          balance_kobo?: number
          created_at?: string
          customer_id?: string
          updated_at?: string
        }
        Relationships: []
      }
      alerts: {
        Row: {
          acknowledged_at: string | null
          acknowledged_by: string | null
          details: Json
          id: number
          kind: string
          message: string
          raised_at: string
        }
        Insert: {
          acknowledged_at?: string | null
          acknowledged_by?: string | null
          details?: Json
          id?: never
          kind: string
          message: string
          raised_at?: string
        }
        Update: {
          acknowledged_at?: string | null
          acknowledged_by?: string | null
          details?: Json
          id?: never
          kind?: string
          message?: string
          raised_at?: string
        }
        Relationships: []
      }
      batch_rejections: {
        Row: {
          batch_id: string
          code: string
          disco_code: string | null
          line: number
          message: string
          meter_number: string | null
        }
        Insert: {
          batch_id: string
          code: string
          disco_code?: string | null
          line: number
          message: string
          meter_number?: string | null
        }
        Update: {
          batch_id?: string
          code?: string
          disco_code?: string | null
          line?: number
          message?: string
          meter_number?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "batch_rejections_batch_id_fkey"
            columns: ["batch_id"]
            isOneToOne: false
            referencedRelation: "batches"
            referencedColumns: ["id"]
          },
        ]
      }
      batches: {
        Row: {
          accepted_count: number
          attention_count: number
          completed_at: string | null
          created_at: string
          created_count: number
          failed_count: number
          file_name: string | null
          file_sha256: string | null
          id: string
          pending_count: number
          rejected_count: number
          row_count: number
          status: string
          submitted_count: number
          succeeded_count: number
          uploaded_by: string
        }
        Insert: {
          accepted_count?: number
          attention_count?: number
          completed_at?: string | null
          created_at?: string
          created_count?: number
          failed_count?: number
          file_name?: string | null
          file_sha256?: string | null
          id?: string
          pending_count?: number
          rejected_count?: number
          row_count?: number
          status?: string
          submitted_count?: number
          succeeded_count?: number
          uploaded_by: string
        }
        Update: {
          accepted_count?: number
          attention_count?: number
          completed_at?: string | null
          created_at?: string
          created_count?: number
          failed_count?: number
          file_name?: string | null
          file_sha256?: string | null
          id?: string
          pending_count?: number
          rejected_count?: number
          row_count?: number
          status?: string
          submitted_count?: number
          succeeded_count?: number
          uploaded_by?: string
        }
        Relationships: []
      }
      discos: {
        Row: {
          code: string
          is_up: boolean
          name: string
          status_checked_at: string | null
        }
        Insert: {
          code: string
          is_up?: boolean
          name: string
          status_checked_at?: string | null
        }
        Update: {
          code?: string
          is_up?: boolean
          name?: string
          status_checked_at?: string | null
        }
        Relationships: []
      }
      meters: {
        Row: {
          address: string | null
          created_at: string
          customer_id: string
          disco_code: string
          id: string
          max_vend_kobo: number | null
          meter_number: string
          min_vend_kobo: number | null
          outstanding_kobo: number | null
          tariff: string | null
          tariff_class: string | null
          vend_type: string
          verified_at: string
          verified_name: string | null
        }
        Insert: {
          address?: string | null
          created_at?: string
          customer_id: string
          disco_code: string
          id?: string
          max_vend_kobo?: number | null
          meter_number: string
          min_vend_kobo?: number | null
          outstanding_kobo?: number | null
          tariff?: string | null
          tariff_class?: string | null
          vend_type: string
          verified_at?: string
          verified_name?: string | null
        }
        Update: {
          address?: string | null
          created_at?: string
          customer_id?: string
          disco_code?: string
          id?: string
          max_vend_kobo?: number | null
          meter_number?: string
          min_vend_kobo?: number | null
          outstanding_kobo?: number | null
          tariff?: string | null
          tariff_class?: string | null
          vend_type?: string
          verified_at?: string
          verified_name?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "meters_disco_code_fkey"
            columns: ["disco_code"]
            isOneToOne: false
            referencedRelation: "discos"
            referencedColumns: ["code"]
          },
        ]
      }
      vend_queue: {
        Row: {
          action: string
          attempts: number
          available_at: string
          lane: string
          last_error: string | null
          locked_until: string | null
          requery_delays: number[]
          vend_id: string
        }
        Insert: {
          action: string
          attempts?: number
          available_at?: string
          lane?: string
          last_error?: string | null
          locked_until?: string | null
          requery_delays?: number[]
          vend_id: string
        }
        Update: {
          action?: string
          attempts?: number
          available_at?: string
          lane?: string
          last_error?: string | null
          locked_until?: string | null
          requery_delays?: number[]
          vend_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "vend_queue_vend_id_fkey"
            columns: ["vend_id"]
            isOneToOne: true
            referencedRelation: "vends"
            referencedColumns: ["id"]
          },
        ]
      }
      vendor_calls: {
        Row: {
          called_at: string
          endpoint: string
          http_status: number | null
          id: number
          latency_ms: number
          outcome: string
          response_code: number | null
          signature_valid: boolean | null
          summary: Json
          vend_id: string | null
        }
        Insert: {
          called_at?: string
          endpoint: string
          http_status?: number | null
          id?: never
          latency_ms: number
          outcome: string
          response_code?: number | null
          signature_valid?: boolean | null
          summary?: Json
          vend_id?: string | null
        }
        Update: {
          called_at?: string
          endpoint?: string
          http_status?: number | null
          id?: never
          latency_ms?: number
          outcome?: string
          response_code?: number | null
          signature_valid?: boolean | null
          summary?: Json
          vend_id?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "vendor_calls_vend_id_fkey"
            columns: ["vend_id"]
            isOneToOne: false
            referencedRelation: "vends"
            referencedColumns: ["id"]
          },
        ]
      }
      vendor_state: {
        Row: {
          breaker_state: string
          last_call_at: string | null
          last_latency_ms: number | null
          paused: boolean
          paused_at: string | null
          paused_reason: string | null
          singleton: boolean
          updated_at: string
        }
        Insert: {
          breaker_state?: string
          last_call_at?: string | null
          last_latency_ms?: number | null
          paused?: boolean
          paused_at?: string | null
          paused_reason?: string | null
          singleton?: boolean
          updated_at?: string
        }
        Update: {
          breaker_state?: string
          last_call_at?: string | null
          last_latency_ms?: number | null
          paused?: boolean
          paused_at?: string | null
          paused_reason?: string | null
          singleton?: boolean
          updated_at?: string
        }
        Relationships: []
      }
      vends: {
        Row: {
          amount_generated_kobo: number | null
          amount_kobo: number
          batch_id: string | null
          batch_line: number | null
          created_at: string
          customer_id: string
          disco_code: string
          email: string | null
          finalized_at: string | null
          funding: string
          id: string
          meter_id: string | null
          meter_number: string
          name: string | null
          next_requery_at: string | null
          order_id: string
          parcels: Json | null
          payment_id: string | null
          payment_refund_id: string | null
          phone: string
          receipt_no: string | null
          requeries: number
          status: string
          submissions: number
          submitted_at: string | null
          tax_kobo: number | null
          token: string | null
          units: number | null
          updated_at: string
          vend_ref: string | null
          vend_type: string
          vendor_code: number | null
          vendor_message: string | null
        }
        Insert: {
          amount_generated_kobo?: number | null
          amount_kobo: number
          batch_id?: string | null
          batch_line?: number | null
          created_at?: string
          customer_id: string
          disco_code: string
          email?: string | null
          finalized_at?: string | null
          funding: string
          id?: string
          meter_id?: string | null
          meter_number: string
          name?: string | null
          next_requery_at?: string | null
          order_id: string
          parcels?: Json | null
          payment_id?: string | null
          payment_refund_id?: string | null
          phone: string
          receipt_no?: string | null
          requeries?: number
          status?: string
          submissions?: number
          submitted_at?: string | null
          tax_kobo?: number | null
          token?: string | null
          units?: number | null
          updated_at?: string
          vend_ref?: string | null
          vend_type: string
          vendor_code?: number | null
          vendor_message?: string | null
        }
        Update: {
          amount_generated_kobo?: number | null
          amount_kobo?: number
          batch_id?: string | null
          batch_line?: number | null
          created_at?: string
          customer_id?: string
          disco_code?: string
          email?: string | null
          finalized_at?: string | null
          funding?: string
          id?: string
          meter_id?: string | null
          meter_number?: string
          name?: string | null
          next_requery_at?: string | null
          order_id?: string
          parcels?: Json | null
          payment_id?: string | null
          payment_refund_id?: string | null
          phone?: string
          receipt_no?: string | null
          requeries?: number
          status?: string
          submissions?: number
          submitted_at?: string | null
          tax_kobo?: number | null
          token?: string | null
          units?: number | null
          updated_at?: string
          vend_ref?: string | null
          vend_type?: string
          vendor_code?: number | null
          vendor_message?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "vends_batch_id_fkey"
            columns: ["batch_id"]
            isOneToOne: false
            referencedRelation: "batches"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "vends_disco_code_fkey"
            columns: ["disco_code"]
            isOneToOne: false
            referencedRelation: "discos"
            referencedColumns: ["code"]
          },
          {
            foreignKeyName: "vends_meter_id_fkey"
            columns: ["meter_id"]
            isOneToOne: false
            referencedRelation: "meters"
            referencedColumns: ["id"]
          },
        ]
      }
      wallet_snapshots: {
        Row: {
          balance_kobo: number
          checked_at: string
          id: number
        }
        Insert: {
          balance_kobo: number
          checked_at?: string
          id?: never
        }
        Update: {
          balance_kobo?: number
          checked_at?: string
          id?: never
        }
        Relationships: []
      }
      worker_leases: {
        Row: {
          lane: string
          lease_until: string
          worker_id: string
        }
        Insert: {
          lane: string
          lease_until: string
          worker_id: string
        }
        Update: {
          lane?: string
          lease_until?: string
          worker_id?: string
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      create_vend: {
        Args: {
          amount_kobo: number
          disco_code: string
          email?: string
          meter_number: string
          name?: string
          order_id?: string
          paystack_reference?: string
          phone: string
          vend_type: string
        }
        Returns: Json
      }
      resume_queue: { Args: never; Returns: Json }
      top_up_account: {
        Args: { amount_kobo: number; customer_id: string; note?: string }
        Returns: Json
      }
      vend_counts: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    keyof DefaultSchema["Tables"] | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    keyof DefaultSchema["Tables"] | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    keyof DefaultSchema["Enums"] | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  commerce: {
    Enums: {},
  },
  energy: {
    Enums: {},
  },
  graphql_public: {
    Enums: {},
  },
  leads: {
    Enums: {},
  },
  marketing: {
    Enums: {},
  },
  public: {
    Enums: {},
  },
  tracking: {
    Enums: {},
  },
  vending: {
    Enums: {},
  },
} as const


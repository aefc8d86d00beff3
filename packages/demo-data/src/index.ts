/**
 * The demo installation that `npm start` seeds: stores in Seoul with menus and owners,
 * riders with locations, and customers. Ids are readable so that tokens are easy to mint:
 *
 *     npm run token -- CUSTOMER customer-1
 */

export interface DemoPlace {
  readonly address: string;
  readonly lat: number;
  readonly lng: number;
}

export interface DemoStore extends DemoPlace {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly menu: readonly { id: string; name: string; description: string; priceWon: number }[];
}

export interface DemoPerson {
  readonly id: string;
  readonly name: string;
}

export const owners: readonly DemoPerson[] = [
  { id: 'owner-1', name: 'Park Jisoo' },
  { id: 'owner-2', name: 'Lee Haneul' },
  { id: 'owner-3', name: 'Choi Minho' },
];

export const stores: readonly DemoStore[] = [
  {
    id: 'store-gangnam-chicken',
    ownerId: 'owner-1',
    name: 'Gangnam Chicken 강남치킨',
    address: '396 Gangnam-daero, Gangnam-gu, Seoul',
    lat: 37.4979,
    lng: 127.0276,
    menu: [
      {
        id: 'gangnam-chicken-fried',
        name: 'Fried chicken 후라이드',
        description: 'Whole chicken, double fried.',
        priceWon: 19000,
      },
      {
        id: 'gangnam-chicken-yangnyeom',
        name: 'Yangnyeom chicken 양념치킨',
        description: 'Sweet and spicy glaze.',
        priceWon: 20000,
      },
      { id: 'gangnam-chicken-cola', name: 'Cola 1.25 L', description: '', priceWon: 2500 },
      {
        id: 'gangnam-chicken-radish',
        name: 'Pickled radish 치킨무',
        description: '',
        priceWon: 500,
      },
    ],
  },
  {
    id: 'store-gangnam-jjajang',
    ownerId: 'owner-1',
    name: 'Gangnam Jjajang 강남반점',
    address: '12 Teheran-ro 4-gil, Gangnam-gu, Seoul',
    lat: 37.4995,
    lng: 127.0301,
    menu: [
      {
        id: 'gangnam-jjajang-jajangmyeon',
        name: 'Jajangmyeon 짜장면',
        description: 'Noodles in black bean sauce.',
        priceWon: 7000,
      },
      {
        id: 'gangnam-jjajang-jjamppong',
        name: 'Jjamppong 짬뽕',
        description: 'Spicy seafood noodle soup.',
        priceWon: 8500,
      },
      {
        id: 'gangnam-jjajang-tangsuyuk',
        name: 'Tangsuyuk 탕수육',
        description: 'Sweet and sour pork.',
        priceWon: 18000,
      },
    ],
  },
  {
    id: 'store-hongdae-tteokbokki',
    ownerId: 'owner-2',
    name: 'Hongdae Tteokbokki 홍대떡볶이',
    address: '27 Wausan-ro 21-gil, Mapo-gu, Seoul',
    lat: 37.5563,
    lng: 126.9236,
    menu: [
      {
        id: 'hongdae-tteokbokki-classic',
        name: 'Tteokbokki 떡볶이',
        description: 'Rice cakes in gochujang sauce.',
        priceWon: 6000,
      },
      {
        id: 'hongdae-tteokbokki-sundae',
        name: 'Sundae 순대',
        description: 'Korean blood sausage.',
        priceWon: 5000,
      },
      {
        id: 'hongdae-tteokbokki-twigim',
        name: 'Twigim set 튀김',
        description: 'Five fried snacks.',
        priceWon: 7000,
      },
      { id: 'hongdae-tteokbokki-gimbap', name: 'Gimbap 김밥', description: '', priceWon: 4000 },
    ],
  },
  {
    id: 'store-jongno-bibimbap',
    ownerId: 'owner-3',
    name: 'Jongno Bibimbap 종로비빔밥',
    address: '19 Jong-ro 3-gil, Jongno-gu, Seoul',
    lat: 37.5716,
    lng: 126.9769,
    menu: [
      {
        id: 'jongno-bibimbap-dolsot',
        name: 'Dolsot bibimbap 돌솥비빔밥',
        description: 'In a hot stone bowl.',
        priceWon: 10000,
      },
      {
        id: 'jongno-bibimbap-bulgogi',
        name: 'Bulgogi 불고기',
        description: 'Marinated beef, for one.',
        priceWon: 13000,
      },
      {
        id: 'jongno-bibimbap-doenjang',
        name: 'Doenjang jjigae 된장찌개',
        description: 'Soybean paste stew.',
        priceWon: 8000,
      },
    ],
  },
];

export interface DemoRider extends DemoPerson {
  readonly vehicle: 'BICYCLE' | 'MOTORBIKE' | 'CAR';
  readonly lat: number;
  readonly lng: number;
}

export const riders: readonly DemoRider[] = [
  { id: 'rider-1', name: 'Kang Dohyun', vehicle: 'MOTORBIKE', lat: 37.4985, lng: 127.029 },
  { id: 'rider-2', name: 'Yoon Seoyeon', vehicle: 'BICYCLE', lat: 37.5571, lng: 126.9245 },
  { id: 'rider-3', name: 'Jang Woojin', vehicle: 'MOTORBIKE', lat: 37.5702, lng: 126.9822 },
  { id: 'rider-4', name: 'Lim Yuna', vehicle: 'CAR', lat: 37.5093, lng: 127.0427 },
  { id: 'rider-5', name: 'Han Jiho', vehicle: 'MOTORBIKE', lat: 37.5345, lng: 126.9946 },
];

export interface DemoCustomer extends DemoPerson {
  readonly home: DemoPlace;
}

export const customers: readonly DemoCustomer[] = [
  {
    id: 'customer-1',
    name: 'Kim Minji',
    home: { address: '152 Teheran-ro, Gangnam-gu, Seoul', lat: 37.5006, lng: 127.0364 },
  },
  {
    id: 'customer-2',
    name: 'Jung Hoseok',
    home: { address: '94 Wausan-ro, Mapo-gu, Seoul', lat: 37.5509, lng: 126.9255 },
  },
  {
    id: 'customer-3',
    name: 'Oh Sumin',
    home: { address: '41 Cheonggyecheon-ro, Jongno-gu, Seoul', lat: 37.5692, lng: 126.9781 },
  },
];
